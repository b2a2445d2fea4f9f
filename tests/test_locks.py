from locks import clear_stale_lock  # tools/locks.py (tests/conftest.py puts tools/ on the path)


def test_stale_lock_is_removed_only_when_no_snakemake_runs_there(tmp_path):
    locks = tmp_path / ".snakemake" / "locks"
    locks.mkdir(parents=True)
    (locks / "0.input.lock").write_text("x")
    assert clear_stale_lock(tmp_path) is True
    assert not any(locks.iterdir())
    assert clear_stale_lock(tmp_path) is False  # nothing left to remove

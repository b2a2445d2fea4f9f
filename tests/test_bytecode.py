"""analysis.core.bytecode: the package's bytecode written once per change of a module (decision 0191)."""

from __future__ import annotations

import importlib.util
import os

from analysis.core.bytecode import compile_package


def _pyc(module):
    return importlib.util.cache_from_source(str(module))


def test_every_module_is_compiled_once_and_again_only_when_it_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1638316800")  # as in the benchmarks: still stamped by time
    (tmp_path / "pkg").mkdir()
    a, b = tmp_path / "pkg" / "a.py", tmp_path / "pkg" / "b.py"
    a.write_text("X = 1\n")
    b.write_text("Y = 2\n")
    assert compile_package(tmp_path) is True
    first = {m: os.stat(_pyc(m)).st_mtime_ns for m in (a, b)}
    with open(_pyc(a), "rb") as f:
        assert int.from_bytes(f.read(8)[4:8], "little") == 0  # flags 0: checked by modification time
    os.utime(_pyc(a), ns=(1, 1))  # recognisable: a file that is not written again keeps this time
    os.utime(_pyc(b), ns=(1, 1))
    b.write_text("Y = 3\n")
    os.utime(b, ns=(first[b] + 10**9, first[b] + 10**9))  # b changed since its bytecode was written
    assert compile_package(tmp_path) is True
    assert os.stat(_pyc(a)).st_mtime_ns == 1  # unchanged: skipped
    assert os.stat(_pyc(b)).st_mtime_ns != 1  # changed: written again


def test_a_module_that_does_not_compile_or_cannot_be_written_is_no_error(tmp_path):
    (tmp_path / "bad.py").write_text("def (:\n")
    assert compile_package(tmp_path) is False  # the job importing it reports the syntax error
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "c.py").write_text("Z = 1\n")
    (blocked / "__pycache__").write_text("")  # no directory can be made there, not even by root
    assert compile_package(blocked) is False
    assert (blocked / "__pycache__").is_file()


def test_the_package_is_compiled_in_the_background_only_when_something_is_stale(tmp_path, monkeypatch):
    """Decision 0197: started as the workflow is read, waited for by onstart."""
    from analysis.core.bytecode import compile_in_background, finish_compiling, stale

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1638316800")
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    a, b = tmp_path / "pkg" / "a.py", tmp_path / "pkg" / "sub" / "b.py"
    a.write_text("X = 1\n")
    b.write_text("Y = 2\n")
    assert stale(tmp_path)
    process = compile_in_background(tmp_path)
    assert process is not None
    assert finish_compiling(process, tmp_path) is True and process.returncode == 0
    assert os.path.exists(_pyc(a)) and os.path.exists(_pyc(b))
    assert not stale(tmp_path) and compile_in_background(tmp_path) is None  # a no-op starts nothing
    # the stamp inside the file counts, not the file's own time: an old .pyc file with the right
    # stamp is fresh (Python and compileall would not write it again, so a check of file times
    # would start a process on every call)
    os.utime(_pyc(a), ns=(1, 1))
    assert not stale(tmp_path)
    assert finish_compiling(None, tmp_path) is True and os.stat(_pyc(a)).st_mtime_ns == 1
    st = os.stat(b)
    os.utime(b, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # b edited: its source time moves
    assert stale(tmp_path)
    assert finish_compiling(None, tmp_path) is True and not stale(tmp_path)  # compiled again
    os.remove(_pyc(a))
    assert stale(tmp_path)  # a's bytecode missing
    process = compile_in_background(tmp_path)
    process.wait()
    assert process.returncode == 0 and os.path.exists(_pyc(a)) and not stale(tmp_path)

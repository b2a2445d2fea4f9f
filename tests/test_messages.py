"""The message catalogues (workflow/report/messages/<lang>.yaml) against each other and the templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.core.messages import Messages, fields_of, flatten, load_messages
from analysis.report.context import VERDICT_ORDER, verdict_labels

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = ROOT / "workflow" / "report" / "messages"
TEMPLATES = ROOT / "workflow" / "report" / "templates"
LANGUAGES = ["no", "en"]
KEY_LITERAL = re.compile(r"""['"]([a-z][a-z0-9_]*\.[a-z0-9_]+)['"]""")


def _catalogues() -> dict[str, dict[str, str]]:
    return {lang: load_messages(MESSAGES / f"{lang}.yaml") for lang in LANGUAGES}


def _template_keys() -> dict[str, list[str]]:
    """Every 'group.key' literal in the templates and the report package -> the files it is in."""
    found: dict[str, list[str]] = {}
    for path in sorted(TEMPLATES.rglob("*")) + sorted((ROOT / "src" / "analysis" / "report").glob("*.py")):
        if path.is_file():
            for key in KEY_LITERAL.findall(path.read_text(encoding="utf-8")):
                found.setdefault(key, []).append(path.name)
    return found


def test_both_languages_have_the_same_keys_and_fields():
    cat = _catalogues()
    assert set(cat["no"]) == set(cat["en"]), set(cat["no"]) ^ set(cat["en"])
    differ = [k for k in cat["no"] if fields_of(cat["no"][k]) != fields_of(cat["en"][k])]
    assert not differ, f"fields differ between no and en: {differ}"
    assert all(text.strip() for c in cat.values() for text in c.values())


def test_every_template_key_exists_and_every_catalogue_key_is_used():
    cat = _catalogues()["no"]
    used = _template_keys()
    groups = {k.split(".")[0] for k in cat}
    # a literal ending in "_" is a prefix completed in code ("context.left_out_" + stage)
    missing = {
        k: f for k, f in used.items() if k.split(".")[0] in groups and k not in cat and not k.endswith("_")
    }
    assert not missing, f"keys used in templates but not in the catalogue: {missing}"
    dynamic = (
        "context.",
        "label.",
        "source.",
        "footnote.",
        "claims_note.",
        "claims_why.",
        "input_role.",
        "data_dictionary.",
        "figure.",
    )  # used from Python (context.py), not by literal key
    unused = sorted(k for k in cat if not k.startswith(dynamic) and k not in used)
    assert not unused, f"catalogue keys no template uses: {unused}"


def test_templates_hold_no_inline_translations():
    """Prose lives in the catalogues: no tr('no', 'en') pairs left in any template."""
    offenders = [p.name for p in TEMPLATES.rglob("*") if p.is_file() and re.search(r"\btr\(", p.read_text())]
    assert not offenders


def test_context_messages_cover_every_verdict():
    for lang, cat in _catalogues().items():
        labels = verdict_labels(Messages(cat, lang))
        assert [v for v, _ in labels] == VERDICT_ORDER
        assert len({label for _, label in labels}) == len(VERDICT_ORDER)


def test_messages_fill_fields_and_refuse_mistakes():
    msg = Messages(flatten({"ch": {"a": "Bosatt {n} i {year}.", "b": "Tekst"}}), "no.yaml")
    assert msg("ch.b") == "Tekst"
    assert msg("ch.a", n="15\u202f284", year=2016) == "Bosatt 15\u202f284 i 2016."
    with pytest.raises(KeyError, match="no.yaml: no message 'ch.c'"):
        msg("ch.c")
    with pytest.raises(KeyError, match=r"missing values \['year'\]"):
        msg("ch.a", n=1)
    with pytest.raises(KeyError, match=r"unused values \['x'\]"):
        msg("ch.b", x=1)
    with pytest.raises(ValueError, match="ch.n: expected text"):
        flatten({"ch": {"n": 3}})

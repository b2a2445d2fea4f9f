"""Reader-facing words live only in the message catalogues (workflow/report/messages/{no,en}.yaml,
decision records 0030 and 0160): a scan of the pipeline's Python for words a reader would see,
written inline. It finds three kinds:

- a language pair: a dict literal keyed "no" and "en" (or "<x>_no" and "<x>_en") with text;
- a language choice: ``"Prosent" if language == "no" else "Per cent"`` (a test on "no"/"en"
  choosing between texts);
- Norwegian text: a string literal (not a docstring; comments are not literals) with æ, ø, å or
  a Norwegian word, once the published report's own names of its parts ("Tabell 9.1", "Figur
  2.2", "kap. 4.1.3", which operator messages cite) are left out.

What is Norwegian but not a word for the reader is listed below with the reason; an entry that
no longer matches anything fails too, so the list stays as short as the code allows.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("no", "en")
NORWEGIAN_LETTERS = re.compile(r"[æøåÆØÅ]")
# Words of Norwegian prose that English (and the code's identifiers) does not use
NORWEGIAN_WORDS = re.compile(
    r"\b(og|ikke|eller|etter|antall|andel|prosent|personer|bosetting|bosatt|bosatte|innbyggere|"
    r"skjult|mangler|gjennomsnitt|svar|figuren|tabellen|tabeller|figurer|kilde|trinn|vektet|"
    r"uvektet|rapportens|rapporten|fordeling|praktisert|avtalt|avtalte|publisert|perioden|"
    r"kvartal|konfidensintervall|flyktninger|kommunene|har|kun|bare|ingen|alle|uten|fra|med|"
    r"til|av|ved|som|det|den|ble|sammenlignbart|syntetiske)\b",
    re.IGNORECASE,
)
CODE = re.compile(r"[a-z0-9_]+")
# The published report's names of its parts, which operator messages and comments cite
REPORT_REFS = re.compile(r"\b(Tabell|Figur|Vedlegg)\s+[\dA-Z][\d.]*|\bkap\.\s*\d[\d.]*")

# Files whose job is to read a Norwegian-language input: their literals are the input's own
# column names, headings and values (and the operator messages that name them), never text the
# report prints.
ALLOWED_FILES = {
    "src/analysis/imdi/public.py": "IMDi's public file: columns Enhet/År/Antall/Bosetting, values "
    "Personer/Prosent and the Bosetting categories, named in its input checks",
    "src/analysis/official/statbank.py": "SSB statbank downloads: year headings (år, årgang) and "
    "content headings ('Nye søknader 2016') recognised in the file",
    "src/analysis/report/numbers.py": "the one number formatter (decision 0031): Babel locale names, "
    "group, percent and minus signs per language; symbols, not words",
}
# Single literals that are Norwegian but not reader-facing text, by file
ALLOWED_TEXT = {
    ("src/analysis/core/synthetic.py", "Syntetiske data"): "the synthetic mark: one fixed, "
    "machine-detectable text in every figure of either language (decision 0025)",
    ("src/analysis/core/synthetic.py", "syntetiske data (synthetic data)"): "the synthetic mark's "
    "SVG <title>/PNG text, bilingual by design (decision 0025)",
    (
        "src/analysis/core/synthetic.py",
        "syntetiske data: figuren bygger på syntetiske demo-inndata, ikke på ekte tall "
        "(synthetic data: drawn from synthetic demo inputs, not real numbers)",
    ): "the synthetic mark's SVG <desc>/PNG text, bilingual by design (decision 0025)",
    ("src/analysis/core/kommune.py", "Grünerløkka"): "an Oslo bydel's name (a proper noun)",
    ("src/analysis/core/kommune.py", "Østensjø"): "an Oslo bydel's name (a proper noun)",
    ("src/analysis/core/kommune.py", "Søndre Nordstrand"): "an Oslo bydel's name (a proper noun)",
    ("src/analysis/core/codenames.py", " (e.g. Herøy: '1818')"): "operator message: a kommune's name",
    (
        "src/analysis/imdi/register.py",
        "settled in a split kommune (Snillfjord/Tysfjord, Ålesund/Haram), assigned whole by "
        "harmonisation.split_to and split_to_2024",
    ): "ledger reason in English naming kommuner (proper nouns)",
    (
        "src/analysis/imdi/register.py",
        "ordinær",
    ): "a cell value the register's settlement type column may hold",
    ("src/analysis/imdi/register.py", "ordinær bosetting"): "a cell value of the register's settlement type",
    (
        "src/analysis/imdi/register.py",
        "avtalt selvbosetting",
    ): "a cell value of the register's settlement type",
    ("src/analysis/imdi/series.py", "Personer"): "IMDi's public file: the Enhet value of person counts",
    ("src/analysis/imdi/series.py", "IMDi, Nøkkeltall bosetting (imdi.no), bosettingstall per kommune"): (
        "a table's source note: IMDi's publication by its own (Norwegian) title; tables are the "
        "same in both languages"
    ),
    ("src/analysis/survey/stats.py", "ikke sammenlignbart: "): "the note column of the change tables, "
    "which carry both languages (note, note_en) like the codebook they quote; the report prints "
    "only the reason after the colon, under the catalogue's ch11.not_comparable_list",
}


def _docstrings(tree: ast.AST) -> set[int]:
    nodes = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, nodes) and n.body and isinstance(n.body[0], ast.Expr):
            v = n.body[0].value
            if isinstance(v, ast.Constant) and isinstance(v.value, str):
                out.add(id(v))
    return out


def _is_text(node: ast.AST) -> bool:
    """A string literal that reads as text, not a key: it has a space or a non-word character."""
    if isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and not node.value.isidentifier()


def _language_keys(node: ast.Dict) -> bool:
    keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    if set(LANGUAGES) <= keys:
        return True
    stems = {k[: -len(lang) - 1] for k in keys for lang in LANGUAGES if k.endswith(f"_{lang}")}
    return any(all(f"{s}_{lang}" in keys for lang in LANGUAGES) for s in stems) and any(
        _is_text(v) for k, v in zip(node.keys, node.values) if k is not None
    )


def _tests_language(node: ast.AST) -> bool:
    return any(
        isinstance(c, ast.Constant) and c.value in LANGUAGES
        for n in ast.walk(node)
        if isinstance(n, ast.Compare)
        for c in [n.left, *n.comparators]
    )


def findings(rel: str, source: str) -> list[tuple[str, int, str, str]]:
    """(file, line, kind, literal) for each inline reader-facing text in one file's source."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Dict) and _language_keys(n):
            found.append((rel, n.lineno, "language pair", ast.unparse(n)[:80]))
        elif (
            isinstance(n, ast.IfExp) and _tests_language(n.test) and (_is_text(n.body) or _is_text(n.orelse))
        ):
            found.append((rel, n.lineno, "language choice", ast.unparse(n)[:80]))
        elif isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs:
            text = REPORT_REFS.sub("", n.value)
            code = CODE.fullmatch(text)  # a lower-case key or code ("avtalt", "bosatt"), not a label
            if NORWEGIAN_LETTERS.search(text) or (NORWEGIAN_WORDS.search(text) and not code):
                found.append((rel, n.lineno, "Norwegian text", n.value))
    return found


def _scanned() -> list[Path]:
    src = [p for p in (ROOT / "src" / "analysis").rglob("*.py") if "demo" not in p.relative_to(ROOT).parts]
    return sorted(src) + sorted((ROOT / "workflow" / "scripts").glob("*.py"))


def test_reader_facing_words_live_only_in_the_catalogues():
    """src/analysis/demo is not scanned: it writes the synthetic inputs (Norwegian survey answers,
    names), which are data, not words of the report."""
    offenders, used = [], set()
    for path in _scanned():
        rel = path.relative_to(ROOT).as_posix()
        for f in findings(rel, path.read_text(encoding="utf-8")):
            if rel in ALLOWED_FILES:
                used.add(rel)
            elif f[2] == "Norwegian text" and (rel, f[3]) in ALLOWED_TEXT:
                used.add((rel, f[3]))
            else:
                offenders.append(f"{f[0]}:{f[1]} {f[2]}: {f[3]!r}")
    assert not offenders, (
        "words for the reader belong in workflow/report/messages/{no,en}.yaml:\n" + "\n".join(offenders)
    )
    stale = sorted(str(k) for k in set(ALLOWED_FILES) | set(ALLOWED_TEXT) if k not in used)
    assert not stale, f"allow-list entries that match nothing any more: {stale}"


def test_the_scan_finds_pairs_choices_and_norwegian_literals():
    probe = '''
"""Docstrings may say "Ordinær bosetting"; they are for the programmer."""
LABELS = {"no": {"persons": "Personer"}, "en": {"persons": "Persons"}}
SPEC = {"id": "x", "label_no": "Har hatt (ja)", "label_en": "Had (yes)"}
KEYS = {"title_no": "t", "title_en": "t"}  # keys, not text: not flagged
def plot(ax, language, years):
    ax.set_xlabel("Prosent" if language == "no" else "Per cent")
    key = "title_no" if language == "no" else "title_en"  # a key, not text
    ax.set_ylabel("Måneder")
    ax.set_title(f"Bosatte {years}")
    ax.legend(title="Skjult")
    log = "no rows for Tabell 10.3"  # the report's name of a table: not flagged
    return ax.text(0, 0, "Too few answers")
'''
    assert sorted((line, kind) for _, line, kind, _ in findings("probe.py", probe)) == [
        (3, "Norwegian text"),  # "Personer"
        (3, "language pair"),
        (4, "Norwegian text"),  # "Har hatt (ja)"
        (4, "language pair"),
        (7, "Norwegian text"),  # "Prosent"
        (7, "language choice"),
        (9, "Norwegian text"),  # "Måneder"
        (10, "Norwegian text"),  # f"Bosatte {years}"
        (11, "Norwegian text"),  # "Skjult"
    ]


def test_no_catalogue_text_writes_the_interval_level():
    """Every interval follows survey.confidence, so its level is a field ({level}, filled
    from the config), never "95 %" written into the text; the one exception is the coverage
    simulation's own nominal level (benchmarks/survey_coverage.py draws at 95 %)."""
    from analysis.core.messages import load_messages

    nominal = {"method_survey.degrees_of_freedom"}
    written = [
        f"{lang}.yaml {key}"
        for lang in LANGUAGES
        for key, text in load_messages(ROOT / "workflow" / "report" / "messages" / f"{lang}.yaml").items()
        if re.search(r"\b95 ?%", text) and key not in nominal
    ]
    assert not written, written

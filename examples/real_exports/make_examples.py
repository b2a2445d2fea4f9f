"""Build small files shaped like real exports, and their plain-CSV twins, from demo inputs.

    .venv/bin/snakemake --cores 2 data/raw/demo/register.csv data/raw/demo/survey_2016.csv \
        data/raw/demo/survey_2021.csv data/raw/demo/survey_frame_2021.csv data/raw/demo/kostra_12012.json
    .venv/bin/python examples/real_exports/make_examples.py data/raw/demo examples/real_exports/build

writes into the output folder (deterministically: the same demo inputs give the same bytes,
except the .xlsx and .sav containers, whose content is the same):

* ``bosetting_uttrekk.csv`` - the register as an IMDi extract: Latin-1 (cp1252), ``;``, CRLF,
  Norwegian headers (Løpenr, Kommunenr, ...), ``Ja``/``Nei``, ``Mottak``, dates ``dd.mm.yyyy``,
  an extra column ``Saksbehandler`` (dropped by the mapping);
* ``bosetting_uttrekk.parquet`` - the same extract as Parquet with UTC timestamps (a settlement
  on 1 January 00:00 Oslo time is 31 December 23:00 UTC);
* ``kommuneundersokelse_2021.sav`` - the 2021 survey as SPSS with the codebook's value labels,
  unit ids as numbers (301 for 0301, as SPSS stores them),
  unticked checkboxes as system-missing (empty), a ``Status`` column with some unfinished
  (``Påbegynt``) answers that the mapping's ``keep_rows`` leaves out, and two renamed items;
* ``kommuneundersokelse_2016.xlsx`` - the 2016 survey on sheet ``Data`` (after a sheet of notes),
  kommunenummer as number cells;
* ``utvalg_2021.tsv.gz`` - the 2021 frame, gzip-compressed, tab-separated, UTF-8 with BOM;
* ``plain/`` - the twins in the contract's plain CSV shape (what the exports must read as).

Second round (issue 23; ``second_round.yaml``), the shapes survey tools and SSB really write:

* ``nettskjema_2021.csv`` - the 2021 survey as a Nettskjema-style LABEL export: option labels
  instead of codes ("Ja", "Helt enig"), a ticked box as its option's text and an unticked box
  empty, units as "code name" cells ("3001 Halden", "030101 Gamle Oslo") and a few by name only;
* ``surveyxact_2016.xlsx`` - the 2016 survey as a SurveyXact-style workbook: title rows above
  the header (row 4), labels, unticked boxes written as "Ikke krysset av", units as
  "K-1101 Eigersund" cells;
* ``12012_statbank.csv`` - KOSTRA 12012 as SSB's statbank download ("semikolonseparert med
  overskrift", Latin-1): title line, blank line, "K-0301 Oslo" regions, years as columns;
* ``bosetting_register.xlsx`` - the register as an Excel extract: a title row, "0301 Oslo" and
  "030101 Gamle Oslo" cells, Excel dates, and a free-text column ``Merknad`` that the mapping
  drops (nothing of it may reach any output or log).

``config.yaml`` beside this script is the mapping for these exports, ``parquet.yaml`` switches
the register to the Parquet extract, ``plain.yaml`` points at the twins. The register is a
deterministic sample (every 10th person) to keep the files small. Checkbox questions that the
demo answers with every box unticked (0) for a routed unit are all empty (not answered) in the
2021 twin: an export that writes unticked boxes as empty cannot tell the two apart, and the
mappings say so (``checkbox_all_empty: unanswered``; docs/decisions/0011).
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from analysis.survey.codebook import load_codebook  # noqa: E402

CODEBOOK = ROOT / "workflow" / "resources" / "codebook.yaml"
PUBLIC = ROOT.parent / "shared" / "data"  # the real public files (crosswalk names)
REGISTER_HEADERS = {
    "person_id": "Løpenr",
    "vedtaksdato": "Vedtaksdato",
    "bosettingsdato": "Bosettingsdato",
    "kommunenummer": "Kommunenr",
    "bydelsnummer": "Bydelsnr",
    "avtalt_selvbosetting": "Avtalt selvbosetting",
    "kategori": "Kategori",
    "husholdningstype": "Husholdningstype",
    "kjonn": "Kjønn",
    "fodselsaar": "Fødselsår",
    "landbakgrunn": "Landbakgrunn",
}
YES_NO = {"1": "Ja", "0": "Nei"}
KATEGORI = {"mottak": "Mottak", "privatboende": "Privatboende", "overforing": "Overføring"}
HUSHOLDNING = {
    "enslig_voksen": "Enslig voksen",
    "par_uten_barn": "Par uten barn",
    "barnefamilie": "Barnefamilie",
    "enslig_mindrearig": "Enslig mindreårig",
}
SURVEY_2021_RENAMED = {"Q_FILTER": "Q1", "NB_BEFORE_2016": "Q2"}
FRAME_HEADERS = {"unit_id": "Enhetsnr", "unit_name": "Navn", "unit_type": "Type"}
UNIT_TYPES = {"kommune": "Kommune", "bydel": "Bydel"}


def read_plain(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def register_sample(src: Path) -> pd.DataFrame:
    return read_plain(src / "register.csv").iloc[::10].reset_index(drop=True)


def register_export(reg: pd.DataFrame) -> pd.DataFrame:
    """The register as an IMDi extract: Norwegian headers and labels, dd.mm.yyyy dates."""
    out = reg.copy()
    for c in ("vedtaksdato", "bosettingsdato"):
        d = pd.to_datetime(out[c], format="%Y-%m-%d", errors="coerce")
        out[c] = d.dt.strftime("%d.%m.%Y").fillna("")
    out["avtalt_selvbosetting"] = out["avtalt_selvbosetting"].map(YES_NO)
    out["kategori"] = out["kategori"].map(KATEGORI)
    out["husholdningstype"] = out["husholdningstype"].map(HUSHOLDNING)
    out = out.rename(columns=REGISTER_HEADERS)
    out["Saksbehandler"] = [f"SB{(i * 7) % 13:02d}" for i in range(len(out))]
    return out


def register_parquet(reg: pd.DataFrame, path: Path) -> None:
    """The extract as Parquet: decision and settlement dates as UTC timestamps of Oslo midnight."""
    import polars as pl

    df = pl.from_pandas(register_export(reg).drop(columns=["Vedtaksdato", "Bosettingsdato"]))
    for src, name in (("vedtaksdato", "Vedtaksdato"), ("bosettingsdato", "Bosettingsdato")):
        dates = pl.Series(name, reg[src].replace("", None)).str.to_date("%Y-%m-%d")
        ts = dates.cast(pl.Datetime("us")).dt.replace_time_zone("Europe/Oslo").dt.convert_time_zone("UTC")
        df = df.with_columns(ts.alias(name))
    df.select(list(register_export(reg).columns)).write_parquet(path)


def checkbox_blocks(cb, year: int) -> list[list[str]]:
    blocks: dict = {}
    for item in cb.items_for(year):
        if cb.items[item].get("scale") == "checkbox":
            blocks.setdefault((cb.items[item]["block"], str(cb.gate(item))), []).append(item)
    return list(blocks.values())


def none_ticked_unanswered(df: pd.DataFrame, cb, year: int) -> pd.DataFrame:
    """Checkbox questions with every box unticked (0): all empty instead (not answered), as an
    export that writes an unticked box as empty shows them."""
    out = df.copy()
    for opts in checkbox_blocks(cb, year):
        zero = (out[opts] == "0").all(axis=1)
        out.loc[zero, opts] = ""
    return out


def survey_2021_sav(truth: pd.DataFrame, frame: pd.DataFrame, cb, path: Path) -> None:
    """SPSS: numeric codes with the codebook's Norwegian value labels, unticked = system-missing."""
    import pyreadstat

    items = cb.items_for(2021)
    checkbox = {i for i in items if cb.items[i].get("scale") == "checkbox"}
    df = truth.copy()
    unfinished = frame.loc[~frame["unit_id"].isin(df["unit_id"]), "unit_id"].iloc[:5]
    partial = pd.DataFrame({c: "" for c in df.columns}, index=range(len(unfinished)))
    partial["unit_id"] = unfinished.to_numpy()
    partial["Q_FILTER"] = "1"
    df = pd.concat([df.assign(Status="Fullført"), partial.assign(Status="Påbegynt")], ignore_index=True)
    df.insert(0, "RespondentID", [f"R{10000 + 37 * i}" for i in range(len(df))])
    labels = {}
    for item in items:
        if cb.is_open(item):
            continue
        col = df[item].where(df[item] != "")
        if item in checkbox:
            col = col.where(col != "0")  # unticked exported as empty
        df[item] = pd.to_numeric(col).astype("float64")
        name = SURVEY_2021_RENAMED.get(item, item)
        labels[name] = {float(k): v["no"] for k, v in cb.scales[cb.items[item]["scale"]]["codes"].items()}
    df["unit_id"] = pd.to_numeric(df["unit_id"]).astype("float64")  # SPSS numeric: 0301 is 301
    df = df.rename(columns={"unit_id": "Kommunenr", **SURVEY_2021_RENAMED})
    pyreadstat.write_sav(df, str(path), variable_value_labels=labels)


def survey_2016_xlsx(df: pd.DataFrame, cb, path: Path) -> None:
    """Excel: codes as numbers, unit ids as text, on sheet Data after a sheet of notes."""
    import openpyxl

    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Om uttrekket"
    notes.append(["Kommuneundersøkelsen 2016, eksport fra spørreskjemaverktøyet"])
    data = wb.create_sheet("Data")
    columns = ["Kommunenummer", *df.columns[1:]]
    data.append(columns)
    for row in df.itertuples(index=False):
        cells = [int(row[0])]  # a number cell: Excel shows 0301 as 301
        for item, v in zip(df.columns[1:], row[1:]):
            cells.append(v if (v == "" or cb.is_open(item)) else int(v))
        data.append([None if c == "" else c for c in cells])
    wb.save(path)


def frame_gzip(frame: pd.DataFrame, path: Path) -> None:
    out = frame.rename(columns=FRAME_HEADERS)
    out["Type"] = out["Type"].map(UNIT_TYPES)
    text = out.to_csv(sep="\t", index=False, lineterminator="\n")
    path.write_bytes(gzip.compress(("\ufeff" + text).encode("utf-8"), mtime=0))


# --------------------------------------------------------------------------- second round
FREE_TEXT = [  # the register extract's case notes: nothing of them may reach an output or a log
    "Familien ønsket nærhet til slekt i kommunen, jf. samtale med saksbehandler",
    "Avtalen ble inngått etter henvendelse fra flyktningtjenesten",
    "",
    "Bolig skaffet privat; ektefelle bosatt fra før",
]
NAME_ONLY = 3  # respondents given by name only in the Nettskjema export


def _code_names() -> dict[str, str]:
    """A name per kommune code (the crosswalk's latest for the code) and per Oslo bydel."""
    from analysis.core.config import validate_config
    from analysis.core.kommune import BYDEL_NAMES, load_code_map

    split_to = validate_config({}, ROOT / "workflow" / "schemas" / "config.schema.yaml")["harmonisation"][
        "split_to"
    ]
    cm = load_code_map(PUBLIC / "crosswalk" / "alle_kommunenummer_fra2013_til2020_wide.csv", split_to)
    return {**{c: n[-1] for c, n in zip(cm["code"], cm["names"]) if n}, **BYDEL_NAMES}


def unit_names(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["unit_id"], frame["unit_name"]))


def _label(cb, item: str, code: str) -> str:
    """The Norwegian option label a label export writes for ``code`` (a ticked box: its option)."""
    if code == "":
        return ""
    if cb.items[item].get("scale") == "checkbox":
        return cb.items[item]["label_no"] if code == "1" else ""
    return cb.code_label(item, int(code), "no")


def survey_nettskjema(df: pd.DataFrame, cb, names: dict[str, str], path: Path) -> None:
    """Label text, units as "code name" (a few with the frame's unit name only), ``,``-separated
    UTF-8 with BOM, a response id and a submission time the mapping drops."""
    import csv

    counts: dict[str, int] = {}
    for n in names.values():
        counts[n] = counts.get(n, 0) + 1
    unique = [u for u in df["unit_id"] if counts.get(names[u]) == 1][:NAME_ONLY]
    out = pd.DataFrame({"Svar-ID": [f"N{4711 + 3 * i}" for i in range(len(df))]})
    out["Innsendt"] = [f"2021-03-{1 + i % 28:02d} 10:{i % 60:02d}" for i in range(len(df))]
    out["Kommune / bydel"] = [names[u] if u in unique else f"{u} {names[u]}" for u in df["unit_id"]]
    for item in df.columns[1:]:
        out[item] = df[item] if cb.is_open(item) else [_label(cb, item, v) for v in df[item]]
    text = out.to_csv(index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    path.write_bytes(("\ufeff" + text).encode("utf-8"))


def survey_surveyxact(df: pd.DataFrame, cb, path: Path) -> None:
    """A workbook with three title rows, the header on row 4, labels, unticked boxes written
    out, units as SSB-style "K-1101 Eigersund" cells."""
    import openpyxl

    names = _code_names()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Rapport"
    ws.append(["Kommuneundersøkelsen 2016 – avtalt selvbosetting"])
    ws.append(["Eksportert fra SurveyXact, alle fullførte besvarelser"])
    ws.append([])
    ws.append(["Kommune", *df.columns[1:]])
    for row in df.itertuples(index=False):
        cells = [f"K-{row[0]} {names[row[0]]}"]
        for item, v in zip(df.columns[1:], row[1:]):
            if cb.is_open(item):
                cells.append(v or None)
            elif cb.items[item].get("scale") == "checkbox" and v != "":
                cells.append(cb.code_label(item, int(v), "no"))  # "Krysset av" / "Ikke krysset av"
            else:
                cells.append(_label(cb, item, v) or None)
        ws.append(cells)
    wb.save(path)


def kostra_statbank(source: Path, path: Path) -> None:
    """The JSON-stat2 table as SSB's statbank CSV: title, blank line, region x contents rows,
    years as columns, SSB's symbols for cells without a number; Latin-1."""
    import json

    doc = json.loads(source.read_text(encoding="utf-8"))
    dims = doc["id"]
    cats = {d: doc["dimension"][d]["category"] for d in dims}
    codes = {d: sorted(c["index"], key=c["index"].get) for d, c in cats.items()}
    status = doc.get("status") or {}
    region, content, year = dims
    agg = {"EAK": "EAK Landet", "EAKUO": "EAKUO Landet uten Oslo"}
    lines = [
        '"12012: Kommunalt disponerte boliger. Søknader og vedtak (K), etter region, statistikkvariabel og år"',
        "",
        '"region";"statistikkvariabel";' + ";".join(f'"{y}"' for y in codes[year]),
    ]
    n_c, n_y = len(codes[content]), len(codes[year])
    for i, r in enumerate(codes[region]):
        label = agg.get(r) or f"K-{r} {cats[region]['label'][r]}"
        for j, c in enumerate(codes[content]):
            cells = []
            for k in range(n_y):
                pos = (i * n_c + j) * n_y + k
                v = doc["value"][pos]
                st = status.get(str(pos), "") if isinstance(status, dict) else status[pos]
                cells.append(st if v is None and st else ("" if v is None else f"{v:.0f}"))
            lines.append(f'"{label}";"{cats[content]["label"][c]}";' + ";".join(cells))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("latin-1"))


def register_xlsx(reg: pd.DataFrame, path: Path) -> None:
    """The register extract as a workbook: a title row and a blank row above the header,
    "0301 Oslo" / "030101 Gamle Oslo" cells, Excel dates, a free-text column ``Merknad``."""
    import datetime as dt

    import openpyxl

    names = _code_names()
    out = register_export(reg)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Uttrekk"
    ws.append(["Bosatte flyktninger, uttrekk fra IMDis register"])
    ws.append([])
    cols = [c for c in out.columns if c != "Saksbehandler"]
    ws.append([*cols, "Merknad"])
    for i, row in enumerate(out[cols].itertuples(index=False)):
        cells = []
        for col, v in zip(cols, row):
            if col in ("Vedtaksdato", "Bosettingsdato"):
                cells.append(dt.datetime.strptime(v, "%d.%m.%Y").date() if v else None)
            elif col == "Kommunenr":
                cells.append(f"{v} {names[v]}")
            elif col == "Bydelsnr":
                cells.append(f"{v} {names[v]}" if v else None)
            else:
                cells.append(v or None)
        ws.append([*cells, FREE_TEXT[i % len(FREE_TEXT)] or None])
    wb.save(path)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", type=Path, help="a demo build's data/raw/demo")
    ap.add_argument("out", type=Path, help="output folder (e.g. examples/real_exports/build)")
    a = ap.parse_args(argv)
    cb = load_codebook(CODEBOOK)
    out, plain = a.out, a.out / "plain"
    plain.mkdir(parents=True, exist_ok=True)

    reg = register_sample(a.source)
    reg.to_csv(plain / "register.csv", index=False, lineterminator="\n")
    register_export(reg).to_csv(
        out / "bosetting_uttrekk.csv", sep=";", index=False, lineterminator="\r\n", encoding="cp1252"
    )
    register_parquet(reg, out / "bosetting_uttrekk.parquet")

    frame = read_plain(a.source / "survey_frame_2021.csv")
    frame.to_csv(plain / "survey_frame_2021.csv", index=False, lineterminator="\n")
    frame_gzip(frame, out / "utvalg_2021.tsv.gz")

    s21 = none_ticked_unanswered(read_plain(a.source / "survey_2021.csv"), cb, 2021)
    s21.to_csv(plain / "survey_2021.csv", index=False, lineterminator="\n")
    survey_2021_sav(s21, frame, cb, out / "kommuneundersokelse_2021.sav")

    s16 = read_plain(a.source / "survey_2016.csv")
    s16.to_csv(plain / "survey_2016.csv", index=False, lineterminator="\n")
    survey_2016_xlsx(s16, cb, out / "kommuneundersokelse_2016.xlsx")

    shutil.copyfile(a.source / "kostra_12012.json", plain / "kostra_12012.json")

    names = unit_names(frame)
    survey_nettskjema(s21, cb, names, out / "nettskjema_2021.csv")
    survey_surveyxact(s16, cb, out / "surveyxact_2016.xlsx")
    kostra_statbank(a.source / "kostra_12012.json", out / "12012_statbank.csv")
    register_xlsx(reg, out / "bosetting_register.xlsx")
    print(f"wrote {sorted(p.name for p in out.iterdir())} and plain/ twins to {out}")


if __name__ == "__main__":
    main()

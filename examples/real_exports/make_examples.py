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

``config.yaml`` beside this script is the mapping for these exports, ``parquet.yaml`` switches
the register to the Parquet extract, ``plain.yaml`` points at the twins. The register is a
deterministic sample (every 10th person) to keep the files small. Checkbox questions that the
demo leaves all empty for a routed unit (not answered) are ticked-none (0) in the twins: an
export that writes unticked boxes as empty cannot tell the two apart, and the mapping says
empty = unticked (docs/decisions/0011).
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


def ticked_none(df: pd.DataFrame, cb, year: int) -> pd.DataFrame:
    """Routed units with a checkbox question left all empty: ticked none (0) instead."""
    out = df.copy()
    for opts in checkbox_blocks(cb, year):
        g = cb.gate(opts[0])
        routed = pd.to_numeric(out[g["item"]].replace("", None)).isin(g["in"]) if g else True
        empty = (out[opts] == "").all(axis=1) & routed
        out.loc[empty, opts] = "0"
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

    s21 = ticked_none(read_plain(a.source / "survey_2021.csv"), cb, 2021)
    s21.to_csv(plain / "survey_2021.csv", index=False, lineterminator="\n")
    survey_2021_sav(s21, frame, cb, out / "kommuneundersokelse_2021.sav")

    s16 = read_plain(a.source / "survey_2016.csv")
    s16.to_csv(plain / "survey_2016.csv", index=False, lineterminator="\n")
    survey_2016_xlsx(s16, cb, out / "kommuneundersokelse_2016.xlsx")

    shutil.copyfile(a.source / "kostra_12012.json", plain / "kostra_12012.json")
    print(f"wrote {sorted(p.name for p in out.iterdir())} and plain/ twins to {out}")


if __name__ == "__main__":
    main()

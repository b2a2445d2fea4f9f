"""demo: false through Snakemake: the survey tables come from the user's files alone."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from conftest import PUBLIC, copy_workflow, run_snakemake
from test_survey import no_unit, write_survey, yes_unit

from analysis.core.kommune import load_kommuner_2020
from analysis.demo.survey import demo_frame


def test_survey_tables_from_configured_files(tmp_path, shared_dir):
    main = copy_workflow(tmp_path)
    user = tmp_path / "user"
    user.mkdir()
    # a frame lists every unit the survey was sent to (355 kommuner + 15 bydeler; a shorter one
    # is refused); all 370 answered, three of them the yes branch
    frame = user / "frame.csv"
    units = demo_frame(load_kommuner_2020(PUBLIC / "kommuner" / "kommuner_2020_folkemengde.csv"))
    units.to_csv(frame, index=False)
    yes = [yes_unit("1101", YB_INFORM=1), yes_unit("1103", YB_INFORM=2), yes_unit("030101", YB_INFORM=2)]
    rest = [no_unit(u) for u in units["unit_id"] if u not in {"1101", "1103", "030101"}]
    s21 = write_survey(user / "s21.csv", 2021, yes + rest)
    s16 = write_survey(user / "s16.csv", 2016, [yes_unit("1601", YB_INFORM=1), no_unit("1103")])
    for name in ("register.csv", "kostra.json"):  # required by the config, not read here
        (user / name).write_text("", encoding="utf-8")
    cfg = {
        "demo": False,
        "inputs": {
            "survey_2021": str(s21),
            "survey_2016": str(s16),
            "survey_frame_2021": str(frame),
            "register": str(user / "register.csv"),
            "kostra_12012": str(user / "kostra.json"),
        },
    }
    (user / "my.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    targets = ["reports/tables/fig_11_4.csv", "reports/tables/text_ch9_response_rate.csv"]
    run_snakemake(main, *targets, "--configfile", str(user / "my.yaml"))
    assert not (main / "data" / "raw" / "demo" / "survey_2021.csv").exists()
    t = pd.read_csv(main / targets[0], dtype={"year": str}, keep_default_na=False)
    row = t[(t["year"] == "2021") & (t["category"] == "informerer")].iloc[0]
    assert row["value"] == pytest.approx(100 / 3) and int(row["n"]) == 3
    # every frame unit responded: a census, so the interval has no width
    assert float(row["ci_low"]) == pytest.approx(row["value"]) == float(row["ci_high"])
    row16 = t[(t["year"] == "2016") & (t["category"] == "informerer")].iloc[0]
    assert row16["value"] == pytest.approx(100.0) and int(row16["n"]) == 1
    assert (main / "data" / "processed" / "survey_2021.parquet").exists()
    rr = pd.read_csv(main / targets[1], keep_default_na=False).set_index("series")["value"]
    assert rr["units_in_frame"] == 370 and rr["units_responded"] == 370


PLANT = "ZQXPLANT7f3a"


def test_planted_open_text_reaches_no_output_of_a_whole_build(demo_build, tmp_path):
    """A demo: false build to the PDF, with a unique string in every routed open-text answer of
    both waves, writes it nowhere: reports/ (PDF text via pdftotext, HTML, tables, figures),
    data/processed/ (Parquet read back, CSV, settings) and logs/."""
    import subprocess

    from analysis.survey.codebook import load_codebook

    main = copy_workflow(tmp_path)
    user = tmp_path / "user"
    user.mkdir()
    demo = demo_build / "data" / "raw" / "demo"
    cb = load_codebook(main / "workflow" / "resources" / "codebook.yaml")
    planted = 0
    for year in (2016, 2021):
        df = pd.read_csv(demo / f"survey_{year}.csv", dtype=str, keep_default_na=False)
        for k, item in enumerate(i for i in cb.items_for(year) if cb.is_open(i)):
            g = cb.gate(item)
            routed = (
                pd.Series(True, index=df.index)
                if g is None
                else df[g["item"]].isin([str(c) for c in g["in"]])
            )
            df.loc[routed, item] = f"{PLANT}-{year}-{k} Fru Hansen i {item} sa nei"
            planted += int(routed.sum())
        df.to_csv(user / f"survey_{year}.csv", index=False)
    assert planted > 50
    cfg = {
        "demo": False,
        "inputs": {
            "survey_2021": str(user / "survey_2021.csv"),
            "survey_2016": str(user / "survey_2016.csv"),
            "survey_frame_2021": str(demo / "survey_frame_2021.csv"),
            "register": str(demo / "register.csv"),
            "kostra_12012": str(demo / "kostra_12012.json"),
        },
    }
    (user / "my.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    run_snakemake(main, "--configfile", str(user / "my.yaml"))
    assert (main / "reports" / "report.pdf").exists()
    checked = []
    for top in ("reports", "data/processed", "logs"):
        for p in sorted((main / top).rglob("*")):
            if not p.is_file():
                continue
            if p.suffix == ".parquet":
                text = pd.read_parquet(p).to_csv()
            elif p.suffix == ".pdf":
                text = subprocess.run(
                    ["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, check=True
                ).stdout
            else:
                text = p.read_bytes().decode("utf-8", errors="replace")
            assert PLANT not in text and "Fru Hansen" not in text, f"open text leaked into {p}"
            checked.append(p)
    assert len(checked) > 50 and any(p.suffix == ".pdf" for p in checked)

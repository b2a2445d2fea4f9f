"""PDF/UA header scopes added after WeasyPrint (analysis.report.pdfua) on a small tagged PDF."""

from __future__ import annotations

import pikepdf

from analysis.report.pdf import write_pdf
from analysis.report.pdfua import add_table_scopes, header_cells, scope_coverage

HTML = """<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>t</title></head><body>
<table>
<thead><tr><th></th><th scope="col">2016</th><th scope="col">2020</th></tr></thead>
<tbody>
<tr><th scope="row">Bosatt</th><td>15 284</td><td>9 000</td></tr>
<tr><th scope="row">Avtalt</th><td>886</td><td>96</td></tr>
</tbody>
</table>
</body></html>"""


def test_every_header_cell_gets_the_scope_of_its_position(tmp_path):
    raw, out = tmp_path / "raw.pdf", tmp_path / "out.pdf"
    write_pdf(HTML, tmp_path, raw)
    assert scope_coverage(raw) == (0, 5)  # WeasyPrint writes no /Scope
    counts = add_table_scopes(raw, out)
    assert counts == {"Column": 3, "Row": 2}
    assert scope_coverage(out) == (5, 5)
    with pikepdf.open(out) as pdf:
        scopes = [str(th.A.Scope) for th in header_cells(pdf)]
    assert scopes == ["/Column", "/Column", "/Column", "/Row", "/Row"]


def test_scopes_are_deterministic(tmp_path):
    write_pdf(HTML, tmp_path, tmp_path / "raw.pdf")
    add_table_scopes(tmp_path / "raw.pdf", tmp_path / "a.pdf")
    add_table_scopes(tmp_path / "raw.pdf", tmp_path / "b.pdf")
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_scopes_set_while_writing_match_the_pikepdf_pass(tmp_path):
    from analysis.report.pdfua import scope_finisher

    counts = {}
    write_pdf(
        HTML, tmp_path, tmp_path / "direct.pdf", finisher=lambda d, p: counts.update(scope_finisher(d, p))
    )
    assert counts == {"Column": 3, "Row": 2}
    assert scope_coverage(tmp_path / "direct.pdf") == (5, 5)
    with pikepdf.open(tmp_path / "direct.pdf") as pdf:
        scopes = [str(th.A.Scope) for th in header_cells(pdf)]
    assert scopes == ["/Column", "/Column", "/Column", "/Row", "/Row"]
    write_pdf(HTML, tmp_path, tmp_path / "again.pdf", finisher=scope_finisher)
    assert (tmp_path / "direct.pdf").read_bytes() == (tmp_path / "again.pdf").read_bytes()

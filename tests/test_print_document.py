"""The PDF is laid out from the report's HTML without its screen-only elements
(analysis.report.pdf.print_document, decision record 0172): the same printed text, fewer elements
for WeasyPrint to parse and style."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from analysis.report.pdf import print_document


def test_screen_only_elements_go_with_everything_inside_them():
    html = (
        '<p>a</p><details class="screen-only figure-data"><summary>s</summary>'
        "<table><tr><td>1</td></tr></table></details><p>b</p>"
    )
    assert print_document(html) == "<p>a</p><p>b</p>"


def test_nested_elements_of_the_same_name_are_counted():
    html = '<div class="x screen-only"><div>inner</div><div><div>deep</div></div></div><div>kept</div>'
    assert print_document(html) == "<div>kept</div>"


def test_only_the_class_screen_only_itself():
    html = '<p class="screen-only-note">kept</p><p class="print-only">kept too</p><p data-x="screen-only">and this</p>'
    assert print_document(html) == html


def test_void_elements_and_several_in_a_row():
    html = '<img class="screen-only" src="x.png"><br class="screen-only"/><ol class="screen-only"><li>1</li></ol>end'
    assert print_document(html) == "end"


def test_an_unclosed_screen_only_element_is_an_error():
    with pytest.raises(ValueError, match="screen-only <table> at offset 3 is never closed"):
        print_document('<p><table class="screen-only"><tr><td>1</td></tr></p>')


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_printed_text_is_the_same(tmp_path):
    from weasyprint import HTML

    html = (
        "<html><head><style>@media print { .screen-only { display: none } }</style></head><body>"
        "<h1>Kapittel</h1><p>Tekst før.</p>"
        '<details class="screen-only"><summary>Tallene</summary><table><tr><td>42</td></tr></table></details>'
        '<p class="nbase screen-only"><a href="x.csv">Last ned</a></p><p>Tekst etter.</p></body></html>'
    )
    texts = []
    for name, doc in (("full", html), ("print", print_document(html))):
        pdf = tmp_path / f"{name}.pdf"
        HTML(string=doc).write_pdf(pdf)
        texts.append(
            subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        )
    assert texts[0] == texts[1]
    assert "Tekst før." in texts[0] and "Tekst etter." in texts[0] and "42" not in texts[0]


HTML_WITH_FIGURE = (
    "<html><head><style>@media print { .screen-only { display: none } }</style></head><body>"
    '<h1>Kapittel</h1><figure id="fig_1"><img style="width: 120pt" alt="Et kvadrat" '
    'src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSIxMDBwdCIgaGVpZ2h0PSIxMDBwdCIgdmlld0JveD0iMCAwIDEwMCAxMDAiPjxwYXRoIGQ9Ik0gMCAwIEwgMTAwIDAgTCAxMDAgMTAwIHoiLz48L3N2Zz4=">'
    "</figure><p>Tekst.</p></body></html>"
)


def test_the_worker_writes_the_same_pdf_and_sizes_as_one_process(tmp_path):
    import json

    from analysis.report.pdf import PdfWorker, write_pdf
    from analysis.report.pdfua import scope_finisher
    from analysis.report.printsize import figure_text_report, printed_figures

    html = tmp_path / "report.html"
    with PdfWorker() as pdf:
        html.write_text(HTML_WITH_FIGURE, encoding="utf-8")
        pdf.render(html, tmp_path / "worker.pdf", tmp_path / "worker_sizes.json")
    document = write_pdf(HTML_WITH_FIGURE, tmp_path, tmp_path / "one.pdf", finisher=scope_finisher)
    sizes = figure_text_report(printed_figures(document))
    assert (tmp_path / "worker.pdf").read_bytes() == (tmp_path / "one.pdf").read_bytes()
    assert json.loads((tmp_path / "worker_sizes.json").read_text(encoding="utf-8")) == json.loads(
        json.dumps(sizes)
    )


def test_a_failure_in_the_worker_is_an_error_here(tmp_path):
    from analysis.report.pdf import PdfWorker

    with pytest.raises(RuntimeError, match="the PDF render failed"):
        with PdfWorker() as pdf:
            pdf.render(tmp_path / "missing.html", tmp_path / "x.pdf", tmp_path / "x.json")
    assert not (tmp_path / "x.pdf").exists()


def test_a_worker_ended_before_the_request_is_an_error_here_not_a_broken_pipe(tmp_path):
    """The worker's preparation fails (a figure it cannot read): it logs and ends before the HTML
    is handed over, and the call raises the worker's failure, not the pipe's."""
    import os

    from analysis.report.pdf import PdfWorker

    with pytest.raises(RuntimeError, match="the PDF render failed"):
        with PdfWorker([tmp_path / "missing-figure.svg"]) as pdf:
            os.waitid(os.P_PID, pdf._pid, os.WEXITED | os.WNOWAIT)  # ended, not yet reaped
            pdf.render(tmp_path / "report.html", tmp_path / "x.pdf", tmp_path / "x.json")
    assert not (tmp_path / "x.pdf").exists()


def test_leaving_without_a_request_ends_the_worker_without_a_pdf(tmp_path):
    import os

    from analysis.report.pdf import PdfWorker

    with pytest.raises(ValueError, match="the HTML step failed"):
        with PdfWorker() as pdf:
            pid = pdf._pid
            raise ValueError("the HTML step failed")
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: the worker has ended
    assert list(tmp_path.iterdir()) == []

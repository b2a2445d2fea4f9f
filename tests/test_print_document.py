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

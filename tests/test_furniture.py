"""The report's furniture read from the rendered page (analysis.report.furniture) on a small page."""

from analysis.report.furniture import furnish

PAGE = """<nav class="toc"><ol><li><a href="#kap2">2 Omfang</a></li><li><a href="#kap4">4 Ventetid</a></li></ol></nav>
<section class="chapter" id="kap2-section">
<h1 id="kap2">2 Omfang</h1>
<h2>2.1 Bosetting</h2>
<figure id="fig_2_1">
  <figcaption class="caption"><b>Figur 2.1</b> Bosetting</figcaption>
  <img src="data:x" alt="a">
</figure>
<h2 id="own">2.2 Tid</h2>
<div class="table-block" id="tab_2_1">
<p class="caption"><b>Tabell 2.1</b> Kommuner</p>
<table class="tab">
<thead><tr><th scope="col">År</th></tr></thead>
</table>
</div>
</section>
<section class="chapter" id="kap4-section">
<h1 id="kap4">4 Ventetid</h1>
</section>
<h1 id="appendix">Vedlegg</h1>
<h2>Ikke i innholdet</h2>
"""


def t(key):
    return {
        "furniture.figures_and_tables": "Figurer og tabeller",
        "furniture.figures": "Figurer",
        "furniture.tables": "Tabeller",
    }[key]


def test_lists_captions_and_sub_sections_come_from_the_page():
    out = furnish(PAGE, ["kap2", "kap4"], t)
    # the table's caption is the table's own
    assert '<table class="tab"><caption class="caption"><b>Tabell 2.1</b> Kommuner</caption>' in out
    assert '<p class="caption">' not in out
    # the list of figures and tables, in page order, right after the table of contents
    lists = out[out.index("</nav>") + len("</nav>") :]
    assert lists.lstrip().startswith('<nav class="toc lists"')
    assert '<li><a href="#fig_2_1"><b>Figur 2.1</b> Bosetting</a></li>' in lists
    assert '<li><a href="#tab_2_1"><b>Tabell 2.1</b> Kommuner</a></li>' in lists
    # the chapter's sub-sections in the contents (screen only), with an id where they had none
    assert '<h2 id="kap2-1">2.1 Bosetting</h2>' in out and '<h2 id="own">2.2 Tid</h2>' in out
    toc = out[: out.index("</nav>")]
    assert '<li><a href="#kap2">2 Omfang</a><ol class="screen-only"><li class="sub"><a href="#kap2-1">' in toc
    assert 'href="#own"' in toc and "Ikke i innholdet" not in toc and "kap4-1" not in toc

"""Work the PDF render no longer does twice, each with the same PDF bytes as WeasyPrint's and
pydyf's own way: the contents pages laid out twice, not three times (analysis.report.pagination,
decision record 0186); each distinct SVG style attribute parsed once (analysis.report.svgstyle,
0187); each PDF object serialised once, not again for the file's identifier
(analysis.report.pdf.serialised_once, 0188) and the tuple of page references built once per page
count (page_references_once, 0188); the inlined figures handed to WeasyPrint by a short URL
instead of their base64 text (figures_by_reference, 0189); the figures parsed and cascaded before
the HTML arrives (pdf.Preparation, analysis.report.svgprepared, 0196) and each distinct SVG length
string normalised once (analysis.report.svgsize, 0196)."""

from __future__ import annotations

import pytest
import weasyprint.layout as wlayout
import weasyprint.layout.page as wpage
import weasyprint.svg as wsvg
from weasyprint import DEFAULT_OPTIONS, HTML
from weasyprint.svg.css import parse_declarations

from analysis.report import pagination, svgstyle, weasyprint_pin

OPTIONS = {**DEFAULT_OPTIONS, "pdf_identifier": b"0" * 32, "pdf_variant": "pdf/ua-1"}


def _document(body_pages: int, page_count_in_text: bool = False) -> str:
    """A report in small: contents with dot leaders and target page numbers (as style.css),
    one entry pointing at the contents page itself, "page n of N" in the margin, chapters."""
    css = (
        "@page { size: A6; margin: 15mm; @bottom-right { content: counter(page) ' / ' counter(pages) } }"
        "h1 { page-break-before: always } nav h1 { page-break-before: avoid }"
        "nav a::after { content: leader('..') target-counter(attr(href), page) }"
    )
    if page_count_in_text:
        css += ".count::after { content: ' (' counter(pages) ')' }"
    entries = '<li><a href="#toc">Innhold</a></li>' + "".join(
        f'<li><a href="#k{i}">Kapittel {i}</a></li>' for i in range(body_pages)
    )
    chapters = "".join(
        f'<h1 id="k{i}">Kapittel {i}</h1>' + "<p>Tekst om kapittelet, linje etter linje.</p>" * (3 + i % 7)
        for i in range(body_pages)
    )
    count = '<p class="count">Sider</p>' if page_count_in_text else ""
    return (
        f'<html lang="nb"><head><title>T</title><style>{css}</style></head><body>'
        f'<nav id="toc"><h1>Innhold</h1><ol>{entries}</ol></nav>{count}{chapters}</body></html>'
    )


def _render(html: str, calls: list) -> bytes:
    make_page = wpage.make_page

    def counted(*args, **kwargs):
        calls.append(args[4])  # page_number
        return make_page(*args, **kwargs)

    wpage.make_page = counted
    try:
        return HTML(string=html).write_pdf(**OPTIONS)
    finally:
        wpage.make_page = make_page


@pytest.mark.parametrize(
    "body_pages, page_count_in_text, passes",
    # a page whose text shows the page count is laid out again once the count is known
    [(12, False, 2), (40, False, 2), (12, True, 3)],
)
def test_the_same_pdf_with_fewer_passes(monkeypatch, body_pages, page_count_in_text, passes):
    html = _document(body_pages, page_count_in_text)
    # WeasyPrint's own (a render in this process may have installed the shortcut); restored after
    monkeypatch.setattr(wlayout, "make_all_pages", wpage.make_all_pages)
    own: list = []
    expected = _render(html, own)
    assert pagination.install()
    settled: list = []
    assert _render(html, settled) == expected
    assert own.count(1) == 3  # WeasyPrint's own: unknown targets, known targets, the page count
    assert settled.count(1) == passes
    contents_pages = {n for n in own if own.count(n) == 3}
    assert sorted(settled) == sorted(own[: len(own) - len(contents_pages) * (3 - passes)])


def test_install_once_and_only_for_the_version_it_was_written_for(monkeypatch):
    import weasyprint

    monkeypatch.setattr(wlayout, "make_all_pages", wpage.make_all_pages)
    general = wlayout.make_all_pages
    assert pagination.install() and pagination.install()
    assert wlayout.make_all_pages is not general and wlayout.make_all_pages.settles_page_count
    monkeypatch.setattr(wlayout, "make_all_pages", general)
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    assert not pagination.install()
    assert wlayout.make_all_pages is general


class _Lookup:
    def __init__(self, cached, missing):
        self.cached_page_counter_values = cached
        self.missing_counters = missing
        self.parsed: list = []

    def parse_again(self, values):
        self.parsed.append(dict(values))


def test_only_lookups_that_do_not_read_the_page_count_are_settled():
    toc = _Lookup({"pages": [0], "page": [3]}, ["page"])
    count = _Lookup({"pages": [0], "page": [1]}, ["pages"])
    done = _Lookup({"pages": [60], "page": [4]}, ["page"])
    fresh = _Lookup({}, ["page"])
    assert pagination.settle_page_count([toc, count, done, fresh], 60) == 1
    assert toc.cached_page_counter_values == {"pages": [60], "page": [3]}
    assert toc.parsed == [{"pages": [60], "page": [3]}]
    assert count.cached_page_counter_values == {"pages": [0], "page": [1]} and not count.parsed
    assert not done.parsed and not fresh.parsed


STYLES = ["fill: #1f4e79; stroke: #222222; stroke-width: 0.8", "stroke: #000; opacity: 0.5 !important", ""]


@pytest.mark.parametrize("style", STYLES)
def test_a_cached_style_is_what_the_parser_returns(style):
    parse = svgstyle.cached(parse_declarations)
    assert parse(style) == parse_declarations(style)
    assert parse(style) is parse(style)
    assert list(parse.seen) == [style]


SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="100pt" height="60pt" viewBox="0 0 100 60">'
    '<path d="M 0 0 L 50 0 L 50 30 z" style="fill: #1f4e79; stroke: #222222; stroke-width: 0.8"/>'
    '<path d="M 50 30 L 100 30 L 100 60 z" style="fill: #1f4e79; stroke: #222222; stroke-width: 0.8"/>'
    '<path d="M 0 60 L 20 40" style="fill: none; stroke: #a33; stroke-width: 2"/>'
    '<text x="10" y="50" style="font-size: 8px; fill: #111">Tekst</text></svg>'
)


def test_the_same_pdf_with_styles_parsed_once(monkeypatch):
    import base64

    html = (
        '<html lang="nb"><head><title>T</title></head><body><p>Figur</p><img alt="Figur" '
        f'src="data:image/svg+xml;base64,{base64.b64encode(SVG.encode()).decode()}"></body></html>'
    )
    monkeypatch.setattr(wsvg, "parse_declarations", parse_declarations)  # WeasyPrint's own; restored
    expected = HTML(string=html).write_pdf(**OPTIONS)
    assert svgstyle.install() and svgstyle.install()
    assert wsvg.parse_declarations.parses_once
    assert HTML(string=html).write_pdf(**OPTIONS) == expected
    assert len(wsvg.parse_declarations.seen) == 3


def _pdf():
    import pydyf

    pdf = pydyf.PDF()
    content = pydyf.Stream(compress=True)
    content.push_state()
    content.move_to(10, 10)
    content.line_to(100.5, 20)
    content.stroke()
    content.pop_state()
    pdf.add_object(content)
    page = pydyf.Dictionary(
        {
            "Type": "/Page",
            "Parent": pdf.pages.reference,
            "MediaBox": pydyf.Array([0, 0, 200, 200]),
            "Contents": content.reference,
        }
    )
    pdf.add_page(page)
    return pdf, content


def test_pdf_objects_serialised_once_give_the_same_bytes(monkeypatch):
    import io

    import pydyf

    from analysis.report.pdf import serialised_once

    serialised = []
    stream_data = pydyf.Stream.data
    monkeypatch.setattr(
        pydyf.Stream, "data", property(lambda self: serialised.append(self) or stream_data.fget(self))
    )
    expected = io.BytesIO()
    pdf, content = _pdf()
    pdf.write(expected, identifier=b"0" * 32, compress=True)
    assert serialised.count(content) == 2  # pydyf's own: written, then hashed for the identifier
    serialised.clear()
    with serialised_once() as objects_final:
        pdf, content = _pdf()
        objects_final()
        written = io.BytesIO()
        pdf.write(written, identifier=b"0" * 32, compress=True)
    assert written.getvalue() == expected.getvalue()
    assert serialised.count(content) == 1


def test_pdf_objects_are_read_afresh_until_they_are_final():
    import pydyf

    from analysis.report.pdf import serialised_once

    with serialised_once() as objects_final:
        content = pydyf.Stream()
        first = content.data
        content.move_to(1, 2)
        assert content.data != first
        objects_final()
        final = content.data
        content.line_to(3, 4)
        assert content.data == final
    assert content.data != final  # the block has ended: pydyf's own property again


def test_page_references_built_once_per_page_count():
    import pydyf

    from analysis.report.pdf import page_references_once

    own = pydyf.PDF.page_references
    pdf, _ = _pdf()
    with page_references_once():
        first = pdf.page_references
        assert pdf.page_references is first  # built once
        page = pydyf.Dictionary({"Type": "/Page", "Parent": pdf.pages.reference})
        pdf.add_page(page)  # a new page: built again, with it
        assert pdf.page_references == own.fget(pdf) == (*first, page.reference)
    assert pydyf.PDF.page_references is own


def test_figures_handed_over_by_reference_once_each():
    from analysis.report.pdf import figure_url, figures_by_reference

    svg, png = "data:image/svg+xml;base64,PHN2Zy8+", "data:image/png;base64,iVBORw0KGgo="
    html = f'<img src="{svg}"><img alt="b" src="{png}"><p>{svg}</p><img src="{svg}">'
    text, figures = figures_by_reference(html)
    url = figure_url(b"<svg/>")  # named after the figure's bytes (0196)
    assert url.startswith("report-figure:") and len(url) == len("report-figure:") + 32
    assert text == f'<img src="{url}"><img alt="b" src="{png}"><p>{svg}</p><img src="{url}">'
    assert figures == {url: svg}


def test_the_same_pdf_and_print_sizes_with_figures_by_reference(monkeypatch, tmp_path):
    import base64

    from analysis.report import pdf
    from analysis.report.printsize import figure_text_report, printed_figures

    uri = f"data:image/svg+xml;base64,{base64.b64encode(SVG.encode()).decode()}"
    html = (
        '<html lang="nb"><head><title>T</title></head><body><figure id="fig_a"><img alt="Figur" '
        f'src="{uri}"></figure><figure id="fig_b"><img alt="Igjen" src="{uri}"></figure></body></html>'
    )
    documents = {}
    for how in ("inline", "by_reference"):
        if how == "inline":
            monkeypatch.setattr(pdf, "figures_by_reference", lambda text: (text, {}))
        else:
            monkeypatch.undo()
        documents[how] = pdf.write_pdf(html, tmp_path, tmp_path / f"{how}.pdf")
    assert (tmp_path / "inline.pdf").read_bytes() == (tmp_path / "by_reference.pdf").read_bytes()
    sizes = {how: figure_text_report(printed_figures(doc)) for how, doc in documents.items()}
    assert sizes["inline"] == sizes["by_reference"] and set(sizes["inline"]) == {"fig_a", "fig_b"}


# a figure as matplotlib writes one: a style sheet, markers drawn by <use>, a clip path, centred
# text, text with a <tspan>, a translucent group (decision 0196 prepares such figures)
FIGURE = (
    '<svg xmlns:xlink="http://www.w3.org/1999/xlink" xmlns="http://www.w3.org/2000/svg" width="120pt" '
    'height="80pt" viewBox="0 0 120 80"><defs><style type="text/css">*{stroke-linejoin: round; '
    "stroke-linecap: butt}</style></defs>"
    '<g id="axes"><path d="M 10 70 L 110 70 L 110 5 L 10 5 z" style="fill: #ffffff"/>'
    '<g><defs><path id="m1" d="M 0 0 L 0 3.5" style="stroke: #000000; stroke-width: 0.8"/></defs>'
    '<use xlink:href="#m1" x="10" y="70" style="stroke: #000000"/><use xlink:href="#m1" x="60" y="70"/></g>'
    '<path d="M 10 60 L 60 20 L 110 40" clip-path="url(#c1)" style="fill: none; stroke: #1f4e79; stroke-width: 1.5"/>'
    '<text style="font-size: 8px; font-family: \'DejaVu Sans\'; text-anchor: middle" x="60" y="78">år 2021</text>'
    '<text x="12" y="12" style="font-size: 7px">10<tspan dy="-3" style="font-size: 5px">3</tspan></text>'
    '<g style="opacity: 0.5"><path d="M 20 20 L 40 20 L 40 40 z" style="fill: #a33"/></g></g>'
    '<defs><clipPath id="c1"><rect x="10" y="5" width="100" height="65"/></clipPath></defs></svg>'
)


def _figure_document(tmp_path):
    import base64

    figure = tmp_path / "fig_a.svg"
    figure.write_text(FIGURE, encoding="utf-8")
    uri = f"data:image/svg+xml;base64,{base64.b64encode(figure.read_bytes()).decode()}"
    html = (
        '<html lang="nb"><head><title>T</title></head><body><p>Tekst.</p><figure id="fig_a">'
        f'<img alt="Figur" style="width: 200pt" src="{uri}"></figure><p>Mer tekst.</p>'
        f'<figure id="fig_b"><img alt="Igjen" style="width: 100pt" src="{uri}"></figure></body></html>'
    )
    return figure, html


def test_the_same_pdf_and_print_sizes_with_prepared_figures(monkeypatch, tmp_path):
    import weasyprint.images as wimages

    from analysis.report import pdf
    from analysis.report.printsize import figure_text_report, printed_figures

    figure, html = _figure_document(tmp_path)
    built = []
    svg_image = wimages.SVGImage.__init__

    def counted(self, *args, **kwargs):
        built.append(args[1])
        svg_image(self, *args, **kwargs)

    monkeypatch.setattr(wimages.SVGImage, "__init__", counted)
    plain = pdf.write_pdf(html, tmp_path, tmp_path / "plain.pdf")
    assert len(built) == 1  # parsed by WeasyPrint, once for both <img>
    prepared = pdf.Preparation([figure, tmp_path / "missing.png"])
    assert list(prepared.svgs) == [pdf.figure_url(figure.read_bytes())]
    document = pdf.write_pdf(html, tmp_path, tmp_path / "prepared.pdf", prepared=prepared)
    assert len(built) == 1  # the prepared figure, not parsed again
    assert (tmp_path / "plain.pdf").read_bytes() == (tmp_path / "prepared.pdf").read_bytes()
    sizes = [figure_text_report(printed_figures(doc)) for doc in (plain, document)]
    assert sizes[0] == sizes[1] and set(sizes[0]) == {"fig_a", "fig_b"}
    with pytest.raises(ValueError, match="one render"):
        pdf.write_pdf(html, tmp_path, tmp_path / "again.pdf", prepared=prepared)


def test_a_figure_not_in_the_html_is_not_used(tmp_path):
    from analysis.report import pdf

    figure, html = _figure_document(tmp_path)
    other = tmp_path / "other.svg"
    other.write_text(FIGURE.replace("2021", "2022"), encoding="utf-8")
    unreadable = tmp_path / "broken.svg"
    unreadable.write_text("<svg", encoding="utf-8")
    prepared = pdf.Preparation([other, unreadable])
    assert list(prepared.svgs) == [pdf.figure_url(other.read_bytes())]
    pdf.write_pdf(html, tmp_path, tmp_path / "prepared.pdf", prepared=prepared)
    pdf.write_pdf(html, tmp_path, tmp_path / "plain.pdf")
    assert (tmp_path / "plain.pdf").read_bytes() == (tmp_path / "prepared.pdf").read_bytes()


def test_a_prepared_image_is_the_image_weasyprint_makes():
    from types import SimpleNamespace
    from xml.etree import ElementTree

    from weasyprint.images import SVGImage
    from weasyprint.text.fonts import FontConfiguration

    from analysis.report import svgprepared

    context = SimpleNamespace(font_config=FontConfiguration())
    own = SVGImage(ElementTree.fromstring(FIGURE), "report-figure:x", None, context)
    svg = svgprepared.prepare(FIGURE.encode(), "report-figure:x", context.font_config, None)
    made = svgprepared.image(svg, "report-figure:x", None, context)
    assert set(vars(made)) == set(vars(own))  # every attribute WeasyPrint's constructor sets
    assert {k: v for k, v in vars(made).items() if k != "_svg"} == {
        k: v for k, v in vars(own).items() if k != "_svg"
    }
    assert (svg.url, svg.font_config, svg.url_fetcher) == (
        own._svg.url,
        own._svg.font_config,
        own._svg.url_fetcher,
    )
    assert svgprepared.cascade(svg.tree) == svgprepared.cascade(own._svg.tree) == 19


def test_figures_are_prepared_only_for_the_weasyprint_they_were_written_for(monkeypatch):
    import weasyprint
    import weasyprint.document as wdoc

    from analysis.report import svgprepared

    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    assert svgprepared.prepare(FIGURE.encode(), "report-figure:x", None, None) is None
    own = wdoc.original_get_image_from_uri
    with svgprepared.prepared_images({"report-figure:x": object()}):
        assert wdoc.original_get_image_from_uri is own


LENGTHS = (
    *("", None, "0", "1", "1.5", "-2", "1e3", "1E3", "1em", "1.2rem", "2ex", "50%", "8px", "10pt"),
    *("1pc", "1in", "2.54cm", "10mm", "4q", " 3px ", "3px 4px", "1,5", "abc", "abc%", "%", "em"),
    *("1e-3em", "+1.5em", "-0.0em", "12.5 ", "\t7pt", "0.1.2", "5vw", 3.5, 0),
)


@pytest.mark.parametrize(
    "font_size, reference", [(None, None), (12.0, None), (12.0, 100.0), (16, 50), (-0.0, 3.0)]
)
def test_a_length_normalised_once_is_what_weasyprint_computes(font_size, reference):
    import weasyprint.svg.utils as wutils
    from weasyprint.css.units import LENGTHS_TO_PIXELS

    from analysis.report import svgsize

    def outcome(size, string):
        try:
            return "value", repr(size(string, font_size, reference))
        except Exception as err:  # noqa: BLE001 - the same error is the same behaviour
            return "error", type(err).__name__

    own = getattr(wutils.size, "replaces", wutils.size)  # WeasyPrint's, installed or not
    size = svgsize.cached(wutils.normalize, LENGTHS_TO_PIXELS)
    for string in LENGTHS:
        expected = outcome(own, string)
        assert outcome(size, string) == expected, string  # normalised, and kept
        assert outcome(size, string) == expected, string  # from what was kept
    assert "1em" in size.tokens and "1" not in size.tokens  # a plain number is never kept


def _own_sizes(monkeypatch):
    """WeasyPrint's own ``size`` in every SVG module for the test (restored after it)."""
    from analysis.report import svgsize

    modules = svgsize.svg_modules()
    own = getattr(modules[-1].size, "replaces", modules[-1].size)
    for module in modules:
        monkeypatch.setattr(module, "size", own)
    return modules, own


def test_lengths_normalised_once_for_the_weasyprint_they_were_written_for(monkeypatch):
    import weasyprint

    from analysis.report import svgsize

    modules, own = _own_sizes(monkeypatch)
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    assert not svgsize.install() and all(m.size is own for m in modules)
    monkeypatch.setattr(weasyprint, "__version__", weasyprint_pin.WRITTEN_FOR)
    assert svgsize.install() and svgsize.install()
    assert all(m.size is modules[-1].size and m.size.normalises_once for m in modules)


def test_the_same_pdf_with_lengths_normalised_once(monkeypatch, tmp_path):
    import base64

    from analysis.report import pdf, svgsize

    figure = FIGURE.replace("font-size: 8px", "font-size: 0.7em").replace('width="120pt"', 'width="12em"')
    uri = f"data:image/svg+xml;base64,{base64.b64encode(figure.encode()).decode()}"
    html = f'<html lang="nb"><head><title>T</title></head><body><img alt="Figur" src="{uri}"></body></html>'
    _own_sizes(monkeypatch)
    monkeypatch.setattr(svgsize, "install", lambda: False)  # write_pdf keeps WeasyPrint's own
    pdf.write_pdf(html, tmp_path, tmp_path / "own.pdf")
    monkeypatch.undo()
    assert svgsize.install()
    pdf.write_pdf(html, tmp_path, tmp_path / "once.pdf")
    assert (tmp_path / "own.pdf").read_bytes() == (tmp_path / "once.pdf").read_bytes()

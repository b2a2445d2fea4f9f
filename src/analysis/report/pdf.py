"""The report's PDF from its HTML (WeasyPrint, PDF/UA-1), deterministic.

Apart from :mod:`analysis.report.render` (templates, tables) so that the PDF worker
(:class:`PdfWorker`, forked before the HTML step's imports) imports neither pandas nor Jinja2:
only WeasyPrint and what drawing the PDF needs (issue 28).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import zlib
from contextlib import contextmanager
from pathlib import Path

# zlib level of the PDF's streams. pydyf compresses every stream at level 9, which took ~0.95 s
# of CPU for the report's ~10 MB of page content and fonts; level 6 (zlib's default) takes
# ~0.3 s for 2 % more bytes (docs/decisions/0179-pdf-streams-at-zlib-level-6.md).
FLATE_LEVEL = 6


class _Flate:
    """Stands in for the ``zlib`` module inside pydyf: the same functions at another level."""

    def __init__(self, level: int):
        self.level = level

    def compressobj(self, level=None, *args, **kwargs):
        return zlib.compressobj(self.level, *args, **kwargs)

    def compress(self, data, level=None):
        return zlib.compress(data, self.level)


_SCREEN_ONLY = re.compile(r'<([a-z][a-z0-9]*)\b[^>]*\bclass="(?:[^"]*\s)?screen-only(?:\s[^"]*)?"[^>]*>')

# HTML's void elements: no closing tag
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


def print_document(html_text: str) -> str:
    """The HTML without its screen-only elements (``class="... screen-only ..."``): what the PDF
    is laid out from (docs/decisions/0172-the-pdf-from-the-print-document.md).

    The print style sheet hides them anyway (``@media print { .screen-only { display: none } }``:
    each figure's numbers as a table, the data links, the lineage table of every output, the
    sub-sections in the contents), but WeasyPrint parses every element and computes its style
    before it knows it is not displayed: they were more than half of the document's elements.
    An element is removed from its opening tag to its matching closing tag (nested elements of
    the same name counted); a screen-only element that is never closed is an error, not a guess.
    """
    out: list[str] = []
    pos = 0
    while (m := _SCREEN_ONLY.search(html_text, pos)) is not None:
        tag = m.group(1)
        out.append(html_text[pos : m.start()])
        if tag in _VOID or m.group(0).endswith("/>"):
            pos = m.end()
            continue
        tags = re.compile(rf"<(/?){tag}\b[^>]*>")
        depth, end = 1, m.end()
        while depth:
            t = tags.search(html_text, end)
            if t is None:
                raise ValueError(f"report HTML: a screen-only <{tag}> at offset {m.start()} is never closed")
            depth += -1 if t.group(1) else 1
            end = t.end()
        pos = end
    out.append(html_text[pos:])
    return "".join(out)


# an inlined SVG figure's source, as document.py writes it
_INLINE_SVG = re.compile(r'src="(data:image/svg\+xml;base64,[A-Za-z0-9+/=]*)"')
FIGURE_SCHEME = "report-figure"


def figure_url(data: bytes) -> str:
    """The short URL of the figure with these bytes in the print document: named after its
    content, so that the PDF worker can prepare the figure from its file before the HTML arrives
    (:class:`Preparation`, decision 0196)."""
    return f"{FIGURE_SCHEME}:{hashlib.sha256(data).hexdigest()[:32]}"


def figures_by_reference(html_text: str) -> tuple[str, dict[str, str]]:
    """The HTML with each inlined SVG figure's ``data:`` URI replaced by a short URL
    (:func:`figure_url`, one per distinct figure), and each such URL's ``data:`` URI.

    The figures are ~2,7 MB of base64 in the report's ~2,9 MB of print document: WeasyPrint's
    HTML parser read them character class by character class (half of its 0,3 s), and its SVG
    code parses the image's URL again for every ``<use>`` (the markers). With a short URL, the
    render's URL fetcher (:func:`write_pdf`) hands WeasyPrint the same bytes; the PDF is the
    same (docs/decisions/0189-figures-handed-to-weasyprint-by-reference.md)."""
    import base64

    urls: dict[str, str] = {}

    def short(match: re.Match) -> str:
        uri = match.group(1)
        url = urls.get(uri)
        if url is None:
            url = urls[uri] = figure_url(base64.b64decode(uri.partition(",")[2]))
        return f'src="{url}"'

    text = _INLINE_SVG.sub(short, html_text)
    return text, {url: uri for uri, url in urls.items()}


def _figure_fetcher(figures: dict[str, str]):
    """WeasyPrint's URL fetcher, answering :func:`figures_by_reference`'s URLs from memory
    (``figures``: URL -> ``data:`` URI; may be filled after the fetcher is made)."""
    import base64

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class FigureFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            uri = figures.get(url)
            if uri is None:
                return super().fetch(url, headers)
            head, _, data = uri.partition(",")
            return URLFetcherResponse(url, base64.b64decode(data), {"Content-Type": head[5:].split(";")[0]})

    return FigureFetcher()


def _install_drawing_shortcuts() -> None:
    """WeasyPrint's drawing as the render wants it (each a no-op for another WeasyPrint)."""
    from analysis.report.pagination import install as settle_page_count
    from analysis.report.svgpath import install as draw_straight_paths_directly
    from analysis.report.svgsize import install as normalise_svg_lengths_once
    from analysis.report.svgstyle import install as parse_svg_styles_once
    from analysis.report.svgtext import install as draw_svg_text_as_runs

    draw_svg_text_as_runs()  # figures' text one run per <text>, not one per letter (0110)
    draw_straight_paths_directly()  # the maps' polygons without the general path parser (0178)
    parse_svg_styles_once()  # the figures' ~250 distinct style attributes, not ~3 700 (0187)
    normalise_svg_lengths_once()  # "1em" and the like read once, not once per element (0196)
    settle_page_count()  # the contents laid out twice, not three times (0186)


class Preparation:
    """What one PDF render can have ready before its HTML exists: WeasyPrint's font configuration,
    the figures' URL fetcher and, for each SVG file in ``figure_paths``, the figure parsed and
    cascaded under the URL :func:`figures_by_reference` will give it
    (docs/decisions/0196-the-pdf-worker-prepares-while-it-waits.md).

    The PDF worker makes it while it waits for the HTML (the figures are inputs of the render
    job). A figure whose bytes are not in the HTML is simply not used: the PDF is still laid out
    from the HTML alone. For one :func:`write_pdf` call only (the figures keep their drawing
    state, as WeasyPrint's own image cache does within one render)."""

    def __init__(self, figure_paths=()):
        from weasyprint.text.fonts import FontConfiguration

        from analysis.report.svgprepared import prepare

        _install_drawing_shortcuts()  # before the figures are cascaded (svgstyle)
        self.font_config = FontConfiguration()
        self.figures: dict[str, str] = {}  # URL -> data: URI, filled from the HTML
        self.fetcher = _figure_fetcher(self.figures)
        self.svgs: dict[str, object] = {}
        for path in figure_paths:
            if Path(path).suffix != ".svg":
                continue
            data = Path(path).read_bytes()
            url = figure_url(data)
            if url in self.svgs:
                continue
            svg = prepare(data, url, self.font_config, self.fetcher)
            if svg is not None:
                self.svgs[url] = svg
        self.used = False


@contextmanager
def flate_level(level: int):
    """pydyf compresses at ``level`` inside the block (nothing changes if pydyf no longer
    compresses through its module's ``zlib``)."""
    import pydyf

    if getattr(pydyf, "zlib", None) is not zlib:
        yield
        return
    pydyf.zlib = _Flate(level)
    try:
        yield
    finally:
        pydyf.zlib = zlib


@contextmanager
def serialised_once():
    """Inside the block, once the returned function has been called, every pydyf stream and
    dictionary computes its bytes once and answers later reads from them.

    pydyf writes the PDF's objects, then serialises every object a second time to hash the file
    for its identifier (``PDF.write`` with an identifier, which the render always gives): every
    stream joined and zlib-compressed twice, ~0,25 s of CPU for the report
    (docs/decisions/0188-pdf-objects-serialised-once.md). Call the function when the objects are
    final (the finisher's end, just before ``PDF.write``). Each object is kept alive with its
    bytes until the block ends, so that no new object can be mistaken for it by its ``id``."""
    import pydyf

    properties = {cls: cls.__dict__["data"] for cls in (pydyf.Stream, pydyf.Dictionary)}
    done: dict[int, tuple] = {}
    active = False

    def once(prop):
        def data(self):
            if not active:
                return prop.fget(self)
            found = done.get(id(self))
            if found is None:
                found = done[id(self)] = (self, prop.fget(self))
            return found[1]

        return property(data)

    def start():
        nonlocal active
        active = True

    for cls, prop in properties.items():
        cls.data = once(prop)
    try:
        yield start
    finally:
        for cls, prop in properties.items():
            cls.data = prop
        done.clear()


@contextmanager
def page_references_once():
    """Inside the block, pydyf's ``PDF.page_references`` (a tuple of every page's reference,
    which WeasyPrint asks for once per tagged element and per link: ~9 250 times for the report,
    0,09 s of CPU) is built once per page count. pydyf only appends to its list of pages, so the
    count tells whether the tuple is still the list's (docs/decisions/0188-pdf-objects-serialised-once.md)."""
    import pydyf

    prop = pydyf.PDF.__dict__["page_references"]
    built: dict[tuple[int, int], tuple] = {}

    def page_references(self):
        key = (id(self), len(self.pages["Kids"]))
        found = built.get(key)
        if found is None:
            found = built[key] = (self, prop.fget(self))  # the PDF kept alive: its id stays its own
        return found[1]

    pydyf.PDF.page_references = property(page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = prop
        built.clear()


def write_pdf(
    html_text: str,
    base_url: str | Path,
    out_path: str | Path,
    finisher=None,
    prepared: Preparation | None = None,
):
    """HTML -> PDF; the identifier is a hash of the HTML so equal inputs give equal bytes.

    ``finisher(document, pdf)`` may change WeasyPrint's PDF objects before they are written
    (:func:`analysis.report.pdfua.scope_finisher`). ``prepared``: what the caller made ready
    before the HTML (:class:`Preparation`; same bytes without it). Returns the laid-out
    WeasyPrint document (for :func:`analysis.report.printsize.printed_figures`).
    """
    from weasyprint import DEFAULT_OPTIONS, HTML

    from analysis.report.svgprepared import prepared_images

    if prepared is None:
        prepared = Preparation()
    if prepared.used:
        raise ValueError("a Preparation serves one render")
    prepared.used = True  # its construction installed the drawing shortcuts
    ident = hashlib.sha256(html_text.encode("utf-8")).hexdigest()[:32].encode()
    # PDF/UA-1: a tagged, accessible PDF (document language, title, alt texts); it costs ~nothing
    options = {
        **DEFAULT_OPTIONS,
        "pdf_identifier": ident,
        "pdf_variant": "pdf/ua-1",
        "uncompressed_pdf": False,
        "optimize_images": False,
    }
    text, figures = figures_by_reference(print_document(html_text))
    prepared.figures.update(figures)
    html = HTML(string=text, base_url=str(base_url), url_fetcher=prepared.fetcher)
    with prepared_images(prepared.svgs):
        document = html.render(font_config=prepared.font_config, **options)
    # the images are loaded: their elements get their inlined sources back (printsize reads them)
    for element in html.etree_element.iter("img"):
        if element.get("src") in figures:
            element.set("src", figures[element.get("src")])
    with flate_level(FLATE_LEVEL), page_references_once(), serialised_once() as objects_final:

        def finish(document, pdf):
            if finisher is not None:
                finisher(document, pdf)
            objects_final()  # from here pydyf serialises each object once (0188)

        document.write_pdf(str(out_path), finisher=finish, **options)
    return document


class PdfWorker:
    """A child process that imports WeasyPrint while this process renders the HTML, then lays
    out and writes the PDF (docs/decisions/0173-the-pdf-worker-forked-early.md).

    The render job spends ~1,5 s importing pandas and rendering the templates and ~0,5 s importing
    WeasyPrint and the PDF/UA tools; on the report's last step the second core is idle, so the
    two run side by side. Use as a context manager, entered before the HTML step's imports::

        with PdfWorker(figure_paths) as pdf:
            html = ...                           # render, write reports/report.html
            pdf.render(html_path, pdf_path, sizes_path)

    :meth:`render` hands the worker the written HTML file's path and waits: the worker calls
    :func:`write_pdf` (with the PDF/UA header scopes) and writes the printed figure sizes, exactly
    what the job did in one process, so the bytes are the same. While it waits for the HTML, the
    worker makes the render's :class:`Preparation` from ``figure_paths`` (the figure files the
    HTML inlines: parsed and cascaded before the HTML exists, decision 0196). A failure in the worker is
    logged there with its traceback and raised here as ``RuntimeError``; leaving the block
    without :meth:`render` (the HTML step failed) ends the worker without a PDF.
    """

    def __init__(self, figure_paths=()):
        self._figure_paths = [str(p) for p in figure_paths]

    def __enter__(self) -> PdfWorker:
        read_end, self._write_end = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the worker
            os.close(self._write_end)
            os._exit(_worker(read_end, self._figure_paths))
        os.close(read_end)
        return self

    def render(self, html_path, pdf_path, sizes_path) -> None:
        request = json.dumps({"html": str(html_path), "pdf": str(pdf_path), "sizes": str(sizes_path)})
        try:
            os.write(self._write_end, request.encode("utf-8"))
        except BrokenPipeError:  # the worker has ended already (its imports or preparation failed)
            pass
        self._close()
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError("the PDF render failed (the worker's traceback is in this job's log)")

    def _close(self) -> None:
        if self._write_end is not None:
            os.close(self._write_end)
            self._write_end = None

    def __exit__(self, *exc) -> None:
        self._close()  # the worker reads an empty request and ends
        if self._pid is not None:
            os.waitpid(self._pid, 0)
            self._pid = None


def _worker(read_end: int, figure_paths: list[str]) -> int:
    """The worker's life: imports and the render's preparation first, then one request (or
    none); its exit code."""
    import gc

    gc.disable()  # short-lived and allocation-heavy, as the render job (render_report.py)
    try:
        import weasyprint  # noqa: F401  (the import this process exists to do early)

        from analysis.report.pdfua import scope_finisher
        from analysis.report.printsize import figure_text_report, printed_figures

        prepared = Preparation(figure_paths)  # while the HTML is being rendered (0196)
        with os.fdopen(read_end, "rb") as fh:
            request = fh.read()
        if not request:
            return 0
        job = json.loads(request)
        html = Path(job["html"])
        document = write_pdf(
            html.read_text(encoding="utf-8"),
            html.parent,
            job["pdf"],
            finisher=scope_finisher,
            prepared=prepared,
        )
        # the printed size of every figure and its smallest text (tests/test_figure_style.py)
        sizes = figure_text_report(printed_figures(document))
        Path(job["sizes"]).write_text(json.dumps(sizes, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return 0
    except BaseException:
        logging.getLogger("pdf").exception("the PDF render failed")
        return 1
    finally:
        logging.shutdown()

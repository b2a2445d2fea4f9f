"""The report's SVG figures parsed and cascaded before the HTML arrives, for WeasyPrint's layout
to take as its images.

WeasyPrint 70 makes an image of an SVG when the layout meets its ``<img>``: it fetches the bytes,
parses them (``ElementTree``), builds its ``SVG`` (the figure's ``<style>``, the root's cascade)
and, while drawing the page, cascades every element's properties the first time it walks the
element's children. For the report's 29 figures (~7 200 elements) that is ~0,2 s of CPU after the
HTML has arrived. The PDF worker waits ~0,5 s for the HTML with nothing to do, and the figures
are files the render job declares as inputs, so :func:`prepare` does that work in the wait, with
the font configuration and URL fetcher the render will use, and :func:`prepared_images` has the
layout take a prepared figure instead of fetching and parsing it again: the same ``SVGImage``
holding the same ``SVG``, so the drawing and the PDF's bytes are the same. Walking the children
early changes nothing: the cascade of an element reads only its parent's properties, which no
drawing step changes before it walks the children (``use`` and patterns cascade copies).

Only for the WeasyPrint version it was written against (pinned in uv.lock); with any other,
:func:`prepare` returns None and :func:`prepared_images` leaves WeasyPrint alone
(docs/decisions/0196-the-pdf-worker-prepares-while-it-waits.md).
"""

from __future__ import annotations

from contextlib import contextmanager

from analysis.report.weasyprint_pin import pinned


def cascade(tree) -> int:
    """Walk every element below ``tree`` (a WeasyPrint SVG ``Node``) once, as drawing would:
    iterating a node's children cascades each child's properties once and keeps the child.
    Returns the number of elements."""
    count, stack = 0, [tree]
    while stack:
        node = stack.pop()
        count += 1
        stack.extend(node)
    return count


def prepare(data: bytes, url: str, font_config, url_fetcher):
    """The ``SVG`` WeasyPrint's ``get_image_from_uri`` builds for an ``image/svg+xml`` response
    of ``data`` at ``url`` (same arguments), its elements cascaded; None if WeasyPrint is not the
    version this was written for or the bytes are no SVG it can read (the render then fetches the
    figure and fails or succeeds as before)."""
    if not pinned():
        return None
    from xml.etree import ElementTree

    from weasyprint.svg import SVG

    try:
        svg = SVG(ElementTree.fromstring(data), url, font_config, url_fetcher)
        cascade(svg.tree)
    except Exception:  # noqa: BLE001 - the render meets the same bytes and reports them
        return None
    return svg


def image(svg, url: str, url_fetcher, context):
    """The ``SVGImage`` WeasyPrint would make of ``svg``: its constructor's attributes, without
    building the ``SVG`` again (tests/test_render_shortcuts.py compares the two)."""
    from weasyprint.images import SVGImage

    made = SVGImage.__new__(SVGImage)
    made._svg = svg
    made._base_url = url
    made._url_fetcher = url_fetcher
    made._context = context
    return made


@contextmanager
def prepared_images(svgs: dict):
    """Inside the block, WeasyPrint's layout takes the image of a URL in ``svgs`` (URL ->
    :func:`prepare`'s SVG) from there, if it was prepared with the layout's font configuration
    and URL fetcher; every other image as before."""
    if not svgs or not pinned():
        yield
        return
    import weasyprint.document as wdoc

    fetch_and_parse = wdoc.original_get_image_from_uri

    def get_image_from_uri(
        cache, url_fetcher, options, url, forced_mime_type=None, context=None, orientation="from-image"
    ):
        svg = svgs.get(url)
        if (
            svg is not None
            and url not in cache
            and forced_mime_type is None
            and context is not None
            and svg.font_config is context.font_config
            and svg.url_fetcher is url_fetcher
        ):
            cache[url] = image(svg, url, url_fetcher, context)
        return fetch_and_parse(cache, url_fetcher, options, url, forced_mime_type, context, orientation)

    wdoc.original_get_image_from_uri = get_image_from_uri
    try:
        yield
    finally:
        wdoc.original_get_image_from_uri = fetch_and_parse

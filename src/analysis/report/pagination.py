"""No third layout pass of the contents pages for a page count nobody reads there.

The contents and the list of figures and tables end each entry in ``target-counter(attr(href),
page)`` (style.css). WeasyPrint 70 lays the document out, then again where a page-based value
changed: the contents pages a second time once their targets' page numbers are known, which is
needed. But it also records such a lookup's ``page`` as a *missing counter* of the contents page
itself (``build.compute_content_list`` reuses one list for both kinds of missing counters), and
it compares the page's counter values as a whole to decide whether the lookup must be parsed
again -- including ``pages``, the page count, which is 0 in the first pass and 60 after it. So the
second pass finds "changed", and the contents pages (3-5 of the demo report) are laid out a third
time with the same text: ~0,3 s of CPU per render (benchmarks/RESULTS.md, issue 28).

:func:`install` makes each later pass start with such a lookup's cached ``pages`` set to the page
count the previous pass found, when the lookup does not use ``pages`` (``counter(pages)`` in the
content would have it in its missing counters): then only a change of a counter the lookup reads
triggers another pass. The layout is the same, so the PDF's bytes are too. Installed only for the
WeasyPrint version it was written against (pinned in uv.lock); with any other it leaves WeasyPrint
alone and returns False (docs/decisions/0186-no-third-pass-for-the-page-count.md).
"""

from __future__ import annotations

from analysis.report.weasyprint_pin import pinned


def settle_page_count(lookup_items, total_pages: int) -> int:
    """Re-parse, with the page count of the pass just made, every lookup that caches page
    counter values with another count but does not read ``pages``: what the next pass would do
    on finding the count changed, done before it lays the page out instead of after (so that it
    need not be laid out once more). Returns how many lookups were re-parsed."""
    changed = 0
    for item in lookup_items:
        cached = item.cached_page_counter_values
        if "pages" in cached and "pages" not in item.missing_counters and cached["pages"] != [total_pages]:
            cached["pages"] = [total_pages]
            item.parse_again(cached)
            changed += 1
    return changed


def install() -> bool:
    """Settle the page count of the lookups before each re-layout pass from now on (this
    process); False, and nothing changed, with an unpinned WeasyPrint (weasyprint_pin)."""
    import weasyprint.layout as wlayout

    if not pinned():
        return False
    make_all_pages = wlayout.make_all_pages
    if getattr(make_all_pages, "settles_page_count", False):
        return True

    def settled(context, root_box, html, pages):
        if pages:  # a later pass: the previous one counted len(pages) pages
            settle_page_count(context.target_collector.counter_lookup_items.values(), len(pages))
        return make_all_pages(context, root_box, html, pages)

    settled.settles_page_count = True
    wlayout.make_all_pages = settled
    return True

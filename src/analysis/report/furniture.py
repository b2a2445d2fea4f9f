"""The report's furniture, added to the rendered HTML: table captions attached to their tables,
a list of figures and tables, and a table of contents that reaches the sub-sections on screen.

The lists are read from the rendered page itself (its ``<figure>`` and table blocks, in the order
the reader meets them), so they can never disagree with what the report shows, and a chapter
that a run leaves out is simply not listed. Pure functions on the HTML text the templates write.
"""

from __future__ import annotations

import html as html_module
import re

FIGURE = re.compile(r'<figure id="([^"]+)">\s*<figcaption class="caption">(.*?)</figcaption>', re.S)
TABLE_BLOCK = re.compile(
    r'(<div class="table-block" id="([^"]+)">\s*)<p class="caption">(.*?)</p>\s*(<table[^>]*>)', re.S
)
CAPTION = re.compile(
    r'<div class="table-block" id="([^"]+)">\s*<table[^>]*><caption class="caption">(.*?)</caption>', re.S
)
HEADING = re.compile(r"<h([12])((?: [^>]*)?)>(.*?)</h\1>", re.S)
ID = re.compile(r'\bid="([^"]+)"')


def attach_table_captions(page: str) -> str:
    """``<p class="caption">`` before a table becomes the table's own ``<caption>``, so that a
    screen reader and the tagged PDF announce it with the table."""
    return TABLE_BLOCK.sub(
        lambda m: f'{m.group(1)}{m.group(4)}<caption class="caption">{m.group(3)}</caption>', page
    )


def number_sub_sections(page: str, chapters: list[str]) -> tuple[str, dict[str, list[tuple[str, str]]]]:
    """Give every ``<h2>`` of a chapter an id (``<chapter>-<n>``) and return the chapter's
    sub-sections as [(id, title)] per chapter anchor."""
    subs: dict[str, list[tuple[str, str]]] = {}
    current = None
    out, last = [], 0
    for m in HEADING.finditer(page):
        level, attrs, text = m.group(1), m.group(2), m.group(3)
        found = ID.search(attrs)
        if level == "1":
            current = found.group(1) if found and found.group(1) in chapters else None
            continue
        if current is None:
            continue
        ident = found.group(1) if found else f"{current}-{len(subs.get(current, [])) + 1}"
        subs.setdefault(current, []).append((ident, re.sub(r"<[^>]+>", "", text).strip()))
        if not found:
            out.append(page[last : m.start()] + f'<h2 id="{ident}"{attrs}>{text}</h2>')
            last = m.end()
    out.append(page[last:])
    return "".join(out), subs


def _items(entries) -> str:
    return "".join(f'<li><a href="#{ident}">{caption}</a></li>' for ident, caption in entries)


def furnish(page: str, chapters: list[str], t) -> str:
    """The rendered page with captions attached, the list of figures and tables after the table of
    contents, and each chapter's sub-sections in the table of contents (screen only: the printed
    contents stay one page)."""
    page = attach_table_captions(page)
    page, subs = number_sub_sections(page, chapters)
    for anchor, entries in subs.items():
        li = re.compile(rf'(<li><a href="#{re.escape(anchor)}">.*?</a>)(</li>)', re.S)
        sub = "".join(
            f'<li class="sub"><a href="#{i}">{html_module.escape(html_module.unescape(title))}</a></li>'
            for i, title in entries
        )
        page = li.sub(
            lambda m, sub=sub: f'{m.group(1)}<ol class="screen-only">{sub}</ol>{m.group(2)}', page, 1
        )
    figures = FIGURE.findall(page)
    tables = CAPTION.findall(page)
    if not figures and not tables:
        return page
    lists = (
        f'<nav class="toc lists" id="list-of-figures"><h1>{t("furniture.figures_and_tables")}</h1>'
        + (f"<h2>{t('furniture.figures')}</h2><ol>{_items(figures)}</ol>" if figures else "")
        + (f"<h2>{t('furniture.tables')}</h2><ol>{_items(tables)}</ol>" if tables else "")
        + "</nav>"
    )
    end = page.find("</nav>")
    return page[: end + len("</nav>")] + "\n" + lists + page[end + len("</nav>") :] if end >= 0 else page

"""PDF/UA header scopes: header cells get a /Scope (WeasyPrint writes none, not even for HTML
``scope`` attributes), so that a screen reader can tell which cells a header applies to.

The render adds them while WeasyPrint writes the PDF (:func:`scope_finisher`, on its objects in
memory); :func:`add_table_scopes` does the same to a finished file with pikepdf (reading it back
and saving it again cost the render ~0,3 s, issue 28) and :func:`scope_coverage` checks a file.

The scope follows the table's structure tree: a TH in a row of header cells only (the table
head) heads a column; a TH in a row with data cells heads that row (the templates write row
labels as ``<th scope="row">``, and nothing else as TH in a body row).
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name


def _kids(elem) -> list:
    """The structure-element children of elem (marked-content ids and references skipped)."""
    k = elem.get("/K")
    if k is None:
        return []
    items = list(k) if isinstance(k, Array) else [k]
    return [x for x in items if isinstance(x, Dictionary) and x.get("/S") is not None]


def _walk(elem):
    for kid in _kids(elem):
        yield kid
        yield from _walk(kid)


def header_cells(pdf: pikepdf.Pdf) -> list:
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return []
    return [e for e in _walk(root) if e.get("/S") == Name.TH]


def scope_of(th) -> Name:
    row = th.get("/P")
    if row is None or row.get("/S") != Name.TR:
        return Name.Column
    cells = [c for c in _kids(row) if c.get("/S") in (Name.TH, Name.TD)]
    return Name.Column if all(c.get("/S") == Name.TH for c in cells) else Name.Row


def _table_attributes(th) -> Dictionary | None:
    a = th.get("/A")
    for d in list(a) if isinstance(a, Array) else [a] if a is not None else []:
        if isinstance(d, Dictionary) and d.get("/O") == Name.Table:
            return d
    return None


def set_scope(th, scope: Name) -> None:
    attrs = _table_attributes(th)
    if attrs is not None:
        attrs.Scope = scope
        return
    new = Dictionary(O=Name.Table, Scope=scope)
    a = th.get("/A")
    if a is None:
        th.A = new
    elif isinstance(a, Array):
        a.append(new)
    else:
        th.A = Array([a, new])


def has_scope(th) -> bool:
    attrs = _table_attributes(th)
    return attrs is not None and attrs.get("/Scope") in (Name.Row, Name.Column, Name.Both)


def add_table_scopes(src: str | Path, dest: str | Path) -> dict[str, int]:
    """Copy the PDF at src to dest with a /Scope on every TH; returns the counts per scope.

    The file identifier is kept and no date is touched, so equal inputs give equal bytes."""
    counts = {"Column": 0, "Row": 0}
    with pikepdf.open(src) as pdf:
        for th in header_cells(pdf):
            scope = scope_of(th)
            set_scope(th, scope)
            counts[str(scope)[1:]] += 1
        pdf.save(dest, static_id=True, compress_streams=True)
    return counts


def scope_coverage(path: str | Path) -> tuple[int, int]:
    """(header cells with a /Scope, all header cells) of a tagged PDF."""
    with pikepdf.open(path) as pdf:
        cells = header_cells(pdf)
        return sum(has_scope(th) for th in cells), len(cells)


def _struct_kids(elem, objects: dict) -> list:
    """The structure-element children of a pydyf structure element (references resolved)."""
    out = []
    for kid in elem.get("K") or []:
        if isinstance(kid, bytes) and kid.endswith(b" R"):
            obj = objects.get(int(kid.split()[0]))
            if obj is not None and hasattr(obj, "get") and obj.get("S"):
                out.append(obj)
    return out


def scope_finisher(document, pdf) -> dict[str, int]:
    """WeasyPrint ``finisher``: the /Scope of :func:`scope_of` on every /TH of the PDF's structure
    tree, set on WeasyPrint's objects before they are written (the same rule as
    :func:`add_table_scopes`: a TH in a row of header cells only heads a column, one in a row with
    data cells heads that row). Returns the counts per scope."""
    import pydyf

    objects = {obj.number: obj for obj in pdf.objects if getattr(obj, "number", None) is not None}
    counts = {"Column": 0, "Row": 0}
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary) or obj.get("S") != "/TH":
            continue
        parent = obj.get("P")
        row = objects.get(int(parent.split()[0])) if isinstance(parent, bytes) else None
        scope = "Column"
        if row is not None and row.get("S") == "/TR":
            cells = [c for c in _struct_kids(row, objects) if c.get("S") in ("/TH", "/TD")]
            scope = "Column" if all(c.get("S") == "/TH" for c in cells) else "Row"
        attrs = obj.get("A")
        if isinstance(attrs, pydyf.Dictionary) and attrs.get("O") == "/Table":
            attrs["Scope"] = f"/{scope}"
        elif attrs is None:
            obj["A"] = pydyf.Dictionary({"O": "/Table", "Scope": f"/{scope}"})
        else:  # another attribute object (or a list of them): add ours beside it
            items = list(attrs) if isinstance(attrs, pydyf.Array) else [attrs]
            obj["A"] = pydyf.Array([*items, pydyf.Dictionary({"O": "/Table", "Scope": f"/{scope}"})])
        counts[scope] += 1
    return counts

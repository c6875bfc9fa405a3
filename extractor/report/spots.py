"""Where on the pages a flag's evidence sits: pages and boxes to crop.

Takes one result (the contract object) and one of its flags and gives, per page, the boxes of the
evidence behind the flag. Evidence amounts carry their page and printed text but no box, and
parties are named with a page only, so both are looked up among the result's located records
(figures, cash from sales, receivables, R&D input lines, the top-five table, the related-party list
and the related sales rows), which do carry boxes; a related sales total in the evidence brings
the rows of the related sales table. A page named in the evidence with nothing
located on it is kept without boxes: the whole page is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Box = tuple[float, float, float, float]


@dataclass
class Spot:
    """One page behind a flag: the boxes to highlight (none: show the whole page) and what they are."""

    page: int
    boxes: list[Box] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


@dataclass
class Located:
    """The result's records that have a page and a box, indexed for the evidence look-ups."""

    by_printed: dict[tuple[int, str], Box] = field(default_factory=dict)
    by_name: dict[tuple[int, str], Box] = field(default_factory=dict)
    names: dict[str, list[tuple[int, Box]]] = field(default_factory=dict)
    sales_rows: list[tuple[int, str, Box]] = field(default_factory=list)


def _box(rec: Any) -> Box | None:
    if not isinstance(rec, dict) or not isinstance(rec.get("page"), int):
        return None
    b = rec.get("bbox")
    if isinstance(b, list | tuple) and len(b) == 4 and all(isinstance(c, int | float) for c in b):
        return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
    return None


def _amounts(node: Any) -> Iterator[dict[str, Any]]:
    """Every record with a page, a box and printed text anywhere under ``node``."""
    if isinstance(node, dict):
        if _box(node) and isinstance(node.get("printed"), str):
            yield node
        for v in node.values():
            yield from _amounts(v)
    elif isinstance(node, list):
        for v in node:
            yield from _amounts(v)


def locate(result: dict[str, Any]) -> Located:
    loc = Located()
    for key in ("figures", "cash_from_sales", "receivables", "rnd_investment", "parties"):
        for rec in _amounts(result.get(key)):
            loc.by_printed.setdefault((rec["page"], rec["printed"]), _box(rec))  # type: ignore[arg-type]
    parties = result.get("parties") or {}
    rows = list((parties.get("top5") or {}).get("customers") or [])
    rows += list(parties.get("related_parties") or [])
    for row in rows:
        name, box = row.get("name"), _box(row)
        if isinstance(name, str) and box is not None:
            loc.by_name.setdefault((row["page"], name), box)
            loc.names.setdefault(name, []).append((row["page"], box))
    for row in ((parties.get("related_sales") or {}).get("rows") or []):
        box = _box(row.get("current"))  # the row has no box of its own; its amount's row is tinted
        if isinstance(row.get("name"), str) and box is not None:
            loc.sales_rows.append((row["current"]["page"], row["name"], box))
    return loc


def flag_spots(result: dict[str, Any], flag: dict[str, Any], loc: Located | None = None) -> list[Spot]:
    """The pages behind ``flag``, in page order, each with the boxes found on it."""
    loc = loc or locate(result)
    spots: dict[int, Spot] = {}
    bare: set[int] = set()

    def add(page: int, box: Box | None, label: str) -> None:
        if box is None:
            bare.add(page)
            return
        s = spots.setdefault(page, Spot(page))
        if any(_inside(box, b) for b in s.boxes):  # an amount inside its row already shown
            return
        keep = [i for i, b in enumerate(s.boxes) if not _inside(b, box)]
        s.boxes = [s.boxes[i] for i in keep] + [box]
        s.labels = [s.labels[i] for i in keep] + [label]

    evidence = flag.get("evidence") or {}
    _walk(evidence, None, loc, add, result.get("file"))
    if "related_sales" in evidence:  # a total of the related sales table: its rows are the evidence
        for page, name, box in loc.sales_rows:
            add(page, box, name)
    for page in bare - set(spots):
        spots[page] = Spot(page)
    return [spots[p] for p in sorted(spots)]


def _inside(a: Box, b: Box, tol: float = 1.0) -> bool:
    return a[0] >= b[0] - tol and a[1] >= b[1] - tol and a[2] <= b[2] + tol and a[3] <= b[3] + tol


def _walk(node: Any, page: int | None, loc: Located, add: Any, file: str | None = None) -> None:
    if isinstance(node, list):
        for v in node:
            _walk(v, page, loc, add, file)
        return
    if not isinstance(node, dict):
        return
    if isinstance(node.get("file"), str) and node["file"] != file:  # evidence from another report (last year's)
        return
    here = node.get("page") if isinstance(node.get("page"), int) else page
    if isinstance(node.get("page"), int) and isinstance(node.get("printed"), str):
        p, text = node["page"], node["printed"]
        add(p, loc.by_printed.get((p, text)), f"{node.get('label') or ''} {text}".strip())
    elif isinstance(node.get("page"), int):
        add(node["page"], None, "")
    if isinstance(node.get("name"), str):  # e.g. one of the top-five customers listed in the evidence
        _name(node["name"], here, loc, add)
    for k, v in node.items():
        if k.endswith("_page") and isinstance(v, int):
            named = node.get(k[: -len("_page")])
            if isinstance(named, str):
                add(v, loc.by_name.get((v, named)), named)
            else:
                add(v, None, "")
        elif k.endswith("pages") and isinstance(v, list):
            for p in v:
                if isinstance(p, int):
                    add(p, None, "")
        elif isinstance(v, dict | list):
            _walk(v, here, loc, add, file)


def _name(name: str, page: int | None, loc: Located, add: Any) -> None:
    if page is not None and (page, name) in loc.by_name:
        add(page, loc.by_name[(page, name)], name)
        return
    for p, box in loc.names.get(name, [])[:1]:
        add(p, box, name)

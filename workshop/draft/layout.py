"""Where the boxes and arrows of an effect chain go: a pure function, no I/O, no database.

``chain_layout(nodes, links)`` places the chain's nodes in columns by kind — förändring,
effekt, nytta and konsekvenskostnad, then a lane of its own for verksamhetsmål, risk, hinder
and möjlighet — with genomförandekostnad set apart beside the chain (``aside``), never
inside it. Within a column the nodes are ordered by a few barycentre sweeps so arrows cross
less. Long titles wrap into lines. The output is plain numbers and strings, the same for the
same input, so the browser (``static/js/chain_svg.js``) and the exported images draw the
same picture.

Units are SVG user units (about pixels at 1:1). An edge's ``points`` are a chain of cubic
Béziers: its start on the source box, then three points per segment (two control points and
the segment's end), the last one on the target box — ``M p0 C p1 p2 p3 C p4 p5 p6 …``. An
arrow that skips a column runs through it level, in a gap between boxes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

# (key, node types in the column, aside?). Chain first, then the lane, then the aside.
COLUMNS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("forandring", ("forandring",), False),
    ("effekt", ("effekt",), False),
    ("nytta", ("nytta", "konsekvenskostnad"), False),
    ("ovrigt", ("verksamhetsmal", "risk", "hinder", "mojlighet"), False),
    ("genomforandekostnad", ("genomforandekostnad",), True),
)
# Always drawn, even when empty: the chain itself.
CORE_COLUMNS = ("forandring", "effekt", "nytta")
# Columns whose nodes stay grouped by kind (a lane of several kinds).
GROUPED_COLUMNS = ("ovrigt",)
# Columns holding several kinds: their boxes carry a kind label ("tag") above the title.
MIXED_COLUMNS = tuple(key for key, types, _aside in COLUMNS if len(types) > 1)

# The method's words (method.md); callers pass translated labels when they have them.
DEFAULT_LABELS = {
    "forandring": "Förändring",
    "effekt": "Effekt",
    "nytta": "Nytta / konsekvenskostnad",
    "ovrigt": "Verksamhetsmål, risk, hinder, möjlighet",
    "genomforandekostnad": "Genomförandekostnad",
}

BOX_W = 280  # width of a box (and of its column)
COL_GAP = 96  # room for arrows between columns
ASIDE_GAP = 150  # a wider gap sets the aside column apart
MARGIN = 24
LOOP = 56  # how far an arrow within one column bulges out to the right
PAD_Y = 9  # inner padding above and below the text of a box
TAG_H = 20  # the small kind label at the top of a box in a column of several kinds
LINE_H = 25  # one line of title
BOX_GAP = 16  # vertical space between boxes
TITLE_CHARS = 19  # characters per title line (bold 20px type in a 280px box, badge corner)
MAX_LINES = 4
HEADER_LINE_H = 26  # one line of a column heading
HEADER_CHARS = 24
HEADER_GAP = 18  # between the heading and the first box
SWEEPS = 4
# Nodes plus arrows visited by all sweeps together at most, so a huge chain is laid out in
# bounded time (fewer sweeps, a little more crossing) instead of stalling the server.
SWEEP_WORK = 200_000


@lru_cache(maxsize=1)
def _hyphenator() -> Any:
    """Swedish hyphenation patterns (pyphen, LibreOffice's dictionaries): titles are written in
    the method's language. Loaded once."""
    import pyphen

    return pyphen.Pyphen(lang="sv", left=3, right=3)


def hyphen_points(word: str) -> list[int]:
    """Where ``word`` may be hyphenated (offsets), by the Swedish patterns; after a hyphen it
    already has too. Parts of a hyphenated compound are hyphenated each by itself."""
    points: set[int] = set()
    start = 0
    for part in word.split("-"):
        if part:
            points.update(start + i for i in _hyphenator().positions(part))
        start += len(part) + 1
        if start < len(word):
            points.add(start)  # after the hyphen
    return sorted(p for p in points if 0 < p < len(word))


VOWELS = frozenset("aeiouyåäöéü")


def _joint(head: str) -> bool:
    """Whether a first part ends where Swedish compounds often join: a consonant and an "s"
    ("arbets|tids|förkortning", "hanterings|rutiner", "Hemtjänst|personal") or a hyphen."""
    h = head.lower()
    if h.endswith("-"):
        return True
    if len(h) < 5:
        return False
    return (h[-1] == "s" and h[-2].isalpha() and h[-2] not in VOWELS) or h.endswith("st")


def _split(word: str, room: int) -> tuple[str, str] | None:
    """A first part of ``word`` that fits ``room`` characters with its hyphen: the longest one
    at a compound's joint, else the longest one the patterns allow."""
    fits = []
    for i in hyphen_points(word):
        head = word[:i]
        shown = head if head.endswith("-") else head + "-"
        if len(shown) <= room:
            fits.append((_joint(head), len(shown), shown, word[i:]))
    if not fits:
        return None
    best = max(fits)
    return best[2], best[3]


def wrap(text: str, width: int = TITLE_CHARS, max_lines: int = MAX_LINES) -> list[str]:
    """Greedy word wrap at spaces; a word that does not fit is hyphenated where Swedish allows
    it ("Hemtjänstpersona-" "lens"), and only a word with no such place in reach is cut; the
    last kept line ends in "…". A line ending in "-" continues its word on the next line."""
    words = " ".join(str(text or "").split()).split(" ")
    lines: list[str] = []
    line = ""
    for word in words:
        if not word:
            continue
        if len(word) + (len(line) + 1 if line else 0) <= width:
            line = f"{line} {word}" if line else word
            continue
        # A word longer than a line starts on this line when a first part fits; any other
        # word goes whole to the next line.
        if line:
            parts = _split(word, width - len(line) - 1) if len(word) > width else None
            if parts and len(parts[0]) >= 5:
                lines.append(f"{line} {parts[0]}")
                word = parts[1]
            else:
                lines.append(line)
            line = ""
        while len(word) > width:
            parts = _split(word, width)
            head, word = parts if parts else (word[: width - 1] + "-", word[width - 1 :])
            lines.append(head)
        line = word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = lines[: max_lines - 1] + [(last[: width - 1].rstrip(" -")) + "…"]
    return lines or [""]


def column_of(node_type: str) -> str:
    for key, types, _aside in COLUMNS:
        if node_type in types:
            return key
    return "ovrigt"


def _type_rank(node_type: str) -> int:
    for _key, types, _aside in COLUMNS:
        if node_type in types:
            return types.index(node_type)
    return 99


def _link_pair(link: Any) -> tuple[Any, Any] | None:
    if isinstance(link, Mapping):
        return link.get("from"), link.get("to")
    if isinstance(link, (tuple, list)) and len(link) == 2:
        return link[0], link[1]
    return None


def _crossings(
    order: dict[str, list[Any]], col_index: dict[Any, int], edges: list[tuple[Any, Any]], keys: list[str]
) -> int:
    """Pairs of arrows between the same two columns whose ends swap order.

    Counted as inversions with a Fenwick tree: O(E log E), where comparing every pair of
    arrows would take seconds on a big chain."""
    rank = {nid: i / max(1, len(order[k])) for k in keys for i, nid in enumerate(order[k])}
    by_pair: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for a, b in edges:
        ca, cb = col_index[a], col_index[b]
        if ca == cb:
            continue
        if ca > cb:
            a, b, ca, cb = b, a, cb, ca
        by_pair.setdefault((ca, cb), []).append((rank[a], rank[b]))
    return sum(_inversions(pairs) for pairs in by_pair.values())


def _inversions(pairs: list[tuple[float, float]]) -> int:
    """Pairs (a1, b1), (a2, b2) with a1 < a2 and b1 > b2 (ties do not cross)."""
    pairs = sorted(pairs)  # by a, then b: equal a's never count as crossing
    ranks = {b: i + 1 for i, b in enumerate(sorted({b for _a, b in pairs}))}
    tree = [0] * (len(ranks) + 1)
    total = 0
    for seen, (_a, b) in enumerate(pairs):
        r = ranks[b]
        # earlier arrows with an end at or below b
        i, not_above = r, 0
        while i > 0:
            not_above += tree[i]
            i -= i & -i
        total += seen - not_above
        i = r
        while i < len(tree):
            tree[i] += 1
            i += i & -i
    return total


def _sweeps(n_nodes: int, n_edges: int) -> int:
    """Barycentre sweeps to make: ``SWEEPS``, fewer when the chain is so big that each sweep
    is costly (the layout is drawn while a request waits)."""
    return max(1, min(SWEEPS, SWEEP_WORK // max(1, n_nodes + n_edges)))


def _order(
    columns: dict[str, list[Any]], keys: list[str], edges: list[tuple[Any, Any]], types: dict[Any, str]
) -> dict[str, list[Any]]:
    """Barycentre sweeps (left to right, then right to left), keeping the best order seen."""
    col_index = {nid: ci for ci, k in enumerate(keys) for nid in columns[k]}
    neighbours: dict[Any, list[Any]] = {nid: [] for nid in col_index}
    for a, b in edges:
        if col_index[a] != col_index[b]:
            neighbours[a].append(b)
            neighbours[b].append(a)
    order = {k: list(columns[k]) for k in keys}
    best = {k: list(v) for k, v in order.items()}
    best_cross = _crossings(order, col_index, edges, keys)
    # Relative height of each node in its column; only the column just sorted changes.
    pos = {nid: (i + 0.5) / len(order[k]) for k in keys for i, nid in enumerate(order[k])}

    def sweep(seq: list[int], side: int) -> None:
        for ci in seq:
            k = keys[ci]
            nodes = order[k]
            if len(nodes) < 2:
                continue

            def key(item: tuple[int, Any], ci: int = ci, k: str = k) -> tuple:
                i, nid = item
                near = [m for m in neighbours[nid] if (col_index[m] - ci) * side > 0]
                bary = sum(pos[m] for m in near) / len(near) if near else pos[nid]
                group = _type_rank(types[nid]) if k in GROUPED_COLUMNS else 0
                return (group, round(bary, 9), i)

            order[k] = [nid for _i, nid in sorted(enumerate(nodes), key=key)]
            pos.update({nid: (i + 0.5) / len(order[k]) for i, nid in enumerate(order[k])})

    n = len(keys)
    for _ in range(_sweeps(len(col_index), len(edges))):
        sweep(list(range(1, n)), -1)
        sweep(list(range(n - 2, -1, -1)), 1)
        cross = _crossings(order, col_index, edges, keys)
        if cross < best_cross:
            best_cross = cross
            best = {k: list(v) for k, v in order.items()}
    return best


def chain_layout(
    nodes: Iterable[Mapping[str, Any]], links: Iterable[Any], labels: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Lay out an effect chain.

    ``nodes``: dicts with ``id``, ``node_type`` and ``title`` (in the order they should
    appear when nothing else decides); ``links``: ``{"from", "to"}`` dicts or pairs. Links to
    unknown nodes and links of a node to itself are left out. ``labels`` overrides the
    column headings (by column key).

    Returns ``{width, height, columns: [{key, label, label_lines, x, w, aside}],
    nodes: [{id, x, y, w, h, title_lines, node_type, column, tag}], edges: [{from, to, points}],
    metrics: {margin, pad_y, tag_h, line_h, header_line_h, header_h}}`` — ``metrics`` tells a
    drawer where the text lines of boxes and headings go; ``tag`` says whether a box has room
    for its kind's name above the title (in the columns that hold several kinds).
    """
    heading = {**DEFAULT_LABELS, **(labels or {})}
    types: dict[Any, str] = {}
    titles: dict[Any, str] = {}
    columns: dict[str, list[Any]] = {key: [] for key, _t, _a in COLUMNS}
    for node in nodes:
        nid = node.get("id")
        if nid is None or nid in types:
            continue
        types[nid] = str(node.get("node_type") or "")
        titles[nid] = str(node.get("title") or "")
        columns[column_of(types[nid])].append(nid)
    # The lane starts grouped by kind; the barycentre sweeps keep the groups.
    columns["ovrigt"].sort(key=lambda nid: _type_rank(types[nid]))

    edges: list[tuple[Any, Any]] = []
    seen: set[tuple[Any, Any]] = set()
    for link in links:
        pair = _link_pair(link)
        if pair is None:
            continue
        a, b = pair
        if a not in types or b not in types or a == b or (a, b) in seen:
            continue
        seen.add((a, b))
        edges.append((a, b))

    keys = [key for key, _t, _a in COLUMNS if key in CORE_COLUMNS or columns[key]]
    aside = {key: a for key, _t, a in COLUMNS}
    order = _order(columns, keys, edges, types)

    # Columns across.
    col_out: list[dict[str, Any]] = []
    x = MARGIN
    for i, key in enumerate(keys):
        if i:
            x += ASIDE_GAP if aside[key] else COL_GAP
        lines = wrap(heading.get(key, key), HEADER_CHARS, 3)
        col_out.append(
            {"key": key, "label": heading.get(key, key), "label_lines": lines, "x": x, "w": BOX_W, "aside": aside[key]}
        )
        x += BOX_W
    has_loop = any(column_of(types[a]) == column_of(types[b]) for a, b in edges)
    width = x + MARGIN + (LOOP if has_loop else 0)
    header_h = max(len(c["label_lines"]) for c in col_out) * HEADER_LINE_H + HEADER_GAP

    # Boxes down each column, the columns centred on the tallest.
    title_lines = {nid: wrap(titles[nid]) for nid in types}
    tagged = {nid: column_of(types[nid]) in MIXED_COLUMNS for nid in types}
    box_h = {nid: PAD_Y * 2 + (TAG_H if tagged[nid] else 0) + LINE_H * len(title_lines[nid]) for nid in types}
    col_h = {key: sum(box_h[n] for n in order[key]) + BOX_GAP * max(0, len(order[key]) - 1) for key in keys}
    body_h = max(col_h.values()) if col_h else 0
    top = MARGIN + header_h
    boxes: dict[Any, dict[str, Any]] = {}
    node_out: list[dict[str, Any]] = []
    for col in col_out:
        key = col["key"]
        y = top + (body_h - col_h[key]) // 2
        for nid in order[key]:
            box = {
                "id": nid,
                "x": col["x"],
                "y": y,
                "w": BOX_W,
                "h": box_h[nid],
                "title_lines": title_lines[nid],
                "node_type": types[nid],
                "column": key,
                "tag": tagged[nid],
            }
            boxes[nid] = box
            node_out.append(box)
            y += box_h[nid] + BOX_GAP
    height = top + body_h + MARGIN

    # Arrows: each end gets its own port along the box side, ordered by where the other end is.
    col_pos = {key: i for i, key in enumerate(keys)}

    def sides(a: Any, b: Any) -> tuple[str, str]:
        ca, cb = col_pos[boxes[a]["column"]], col_pos[boxes[b]["column"]]
        if ca < cb:
            return "right", "left"
        if ca > cb:
            return "left", "right"
        return "right", "right"

    ports: dict[tuple[Any, str], list[tuple[float, int, int]]] = {}
    for ei, (a, b) in enumerate(edges):
        sa, sb = sides(a, b)
        other_b = boxes[b]["y"] + boxes[b]["h"] / 2
        other_a = boxes[a]["y"] + boxes[a]["h"] / 2
        ports.setdefault((a, sa), []).append((other_b, ei, 0))
        ports.setdefault((b, sb), []).append((other_a, ei, 1))
    port_y: dict[tuple[int, int], int] = {}
    for (nid, _side), entries in ports.items():
        box = boxes[nid]
        entries.sort()
        usable = box["h"] - 2 * PAD_Y
        for k, (_y, ei, end) in enumerate(entries):
            port_y[(ei, end)] = round(box["y"] + PAD_Y + usable * (k + 1) / (len(entries) + 1))

    # A free height in each column: the middle of every gap between boxes (and above and below).
    def gaps(key: str) -> list[float]:
        col_boxes = [boxes[n] for n in order[key]]
        if not col_boxes:
            return [top + body_h / 2]
        out = [col_boxes[0]["y"] - BOX_GAP / 2]
        out += [(b1["y"] + b1["h"] + b2["y"]) / 2 for b1, b2 in zip(col_boxes, col_boxes[1:])]
        out.append(col_boxes[-1]["y"] + col_boxes[-1]["h"] + BOX_GAP / 2)
        return out

    free = {key: gaps(key) for key in keys}  # top to bottom

    def nearest_gap(key: str, want: float) -> float:
        """The free height closest to ``want`` (the upper one on a tie): a binary search."""
        heights = free[key]
        i = bisect_left(heights, want)
        return min(heights[max(0, i - 1) : i + 1], key=lambda g: (abs(g - want), g))

    def curve(p: list[int], q: list[int]) -> list[list[int]]:
        """Two control points and the end of a cubic Bézier from p to q, level at both ends."""
        d = max(24, abs(q[0] - p[0]) // 2)
        sign = 1 if q[0] >= p[0] else -1
        return [[p[0] + sign * d, p[1]], [q[0] - sign * d, q[1]], q]

    edge_out: list[dict[str, Any]] = []
    for ei, (a, b) in enumerate(edges):
        sa, sb = sides(a, b)
        ba, bb = boxes[a], boxes[b]
        x0 = ba["x"] + ba["w"] if sa == "right" else ba["x"]
        x3 = bb["x"] + bb["w"] if sb == "right" else bb["x"]
        y0, y3 = port_y[(ei, 0)], port_y[(ei, 1)]
        points: list[list[int]] = [[x0, y0]]
        if sa == sb:  # within one column: out to the right and back
            points += [[x0 + LOOP, y0], [x3 + LOOP, y3], [x3, y3]]
        else:
            # An arrow that skips columns passes through them between boxes, not across them.
            ca, cb = col_pos[ba["column"]], col_pos[bb["column"]]
            step = 1 if cb > ca else -1
            current = [x0, y0]
            for ci in range(ca + step, cb, step):
                col = col_out[ci]
                frac = (ci - ca) / (cb - ca)
                want = y0 + (y3 - y0) * frac
                gy = round(nearest_gap(col["key"], want))
                enter_x = col["x"] if step > 0 else col["x"] + col["w"]
                leave_x = col["x"] + col["w"] if step > 0 else col["x"]
                points += curve(current, [enter_x, gy])
                points += [[enter_x + step * col["w"] // 3, gy], [leave_x - step * col["w"] // 3, gy], [leave_x, gy]]
                current = [leave_x, gy]
            points += curve(current, [x3, y3])
        edge_out.append({"from": a, "to": b, "points": points})

    metrics = {
        "margin": MARGIN,
        "pad_y": PAD_Y,
        "tag_h": TAG_H,
        "line_h": LINE_H,
        "header_line_h": HEADER_LINE_H,
        "header_h": header_h,
    }
    return {
        "width": width,
        "height": height,
        "columns": col_out,
        "nodes": node_out,
        "edges": edge_out,
        "metrics": metrics,
    }


__all__ = ["COLUMNS", "DEFAULT_LABELS", "chain_layout", "column_of", "wrap"]

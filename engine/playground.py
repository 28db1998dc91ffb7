"""`playground(root)`: a live page where every leaf can be edited and every value and gradient
moves at once, computed in the browser.

The page is one self-contained HTML file (nothing fetched; it opens from disk and runs in a
Jupyter iframe): the computation graph drawn once by the renderer, a number field and a
slider for every editable leaf, and a small JavaScript evaluator that recomputes the forward
pass and backprop on each edit and writes the numbers into the picture. The graph travels as
JSON: every node in topological order (backprop walks it backwards, as `backward()` does), its
op, its parents in recorded order and its value; inf, -inf and nan as the strings "inf",
"-inf" and "nan", which the page reads back (plain JSON has no such numbers). Each op's
JavaScript comes from its catalogue entry (`Op.js`), so no op is written twice.

Which leaves are editable: every labelled leaf and every parameter; an unlabelled leaf is a
constant, shown but fixed. Which are parameters (the ones `step(lr)` moves): `params` if
given (Values or names), else those the drawings colour as parameters (nn's Parameters).
Names are explain's (a label, else n1, n2, ...; a constant by its value); a name that
occurs twice gets `#2`, `#3`, ... in picture order, so every name on the page is unique.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from numbers import Real
from pathlib import Path

from . import files
from .autograd import accumulation_order, topological_order
from .names import MAX_NODES, check_root, check_size, is_parameter, kind, node_names
from .ops import Op
from .page import iframe
from .value import Value, check_label

CELL_WIDTH = 104  # points: room for "data -1.23457e+100" when the page rewrites a number


def unique_names(order: list[Value]) -> dict[int, str]:
    """explain's names, with `#2`, `#3`, ... added to the second and later uses of a name."""
    names = node_names(order)
    taken, uses = set(names.values()), Counter[str]()
    unique = {}
    for v in order:
        name = base = names[id(v)]
        uses[base] += 1
        n = uses[base]
        while n > 1 and (name := f"{base}#{n}") in taken:
            n += 1
        taken.add(name)
        unique[id(v)] = name
    return unique


def encode(x: float) -> float | str:
    """A number for the page's JSON: itself if finite, else "inf", "-inf" or "nan"."""
    if math.isfinite(x):
        return x
    return "nan" if x != x else ("inf" if x > 0 else "-inf")


class Playground:
    """The live page for the graph behind `root`; `.html()`, `.save_html(path)`, and inline
    display in Jupyter."""

    def __init__(self, root: Value, params: Iterable[Value | str] | None = None,
                 target: float | None = None, tol: float = 1e-9,
                 max_nodes: int = MAX_NODES) -> None:
        self.root = check_root(root, "playground")
        self.target, self.tol = _goal(target, tol)
        self.order = check_size(topological_order(root), max_nodes)
        self.names = unique_names(self.order)
        editable = [v for v in self.order if v.is_leaf and (v.label or is_parameter(v))]
        self.params = self._params(editable, params)
        self.editable = editable
        for v in self.order:
            if v.op is not None and not v.op.js:
                raise ValueError(f"playground: op {v.op.name!r} has no JavaScript form "
                                 "(Op.js) to run in the page")

    def _params(self, editable: list[Value], params: Iterable[Value | str] | None) -> set[int]:
        if params is None:
            return {id(v) for v in editable if is_parameter(v)}
        by_name = {self.names[id(v)]: v for v in editable}
        allowed = {id(v) for v in editable}
        chosen = set()
        for p in params:
            v = by_name.get(p) if isinstance(p, str) else p
            if not isinstance(v, Value) or id(v) not in allowed:
                what = repr(p) if isinstance(p, str) else f"a {type(p).__name__}"
                raise ValueError(f"playground: params must be editable leaves of the graph "
                                 f"({', '.join(by_name) or 'none'}); {what} is not one")
            chosen.add(id(v))
        return chosen

    def graph_data(self, ops: list[Op] | None = None) -> dict:
        """The page's JSON: ops, and every node with its kind, op, parents and value. A page
        with several graphs passes one `ops` list to all, so their op numbers agree."""
        index = {id(v): i for i, v in enumerate(self.order)}
        ops = [] if ops is None else ops
        numbers = {id(op): i for i, op in enumerate(ops)}  # an op's place in `ops`
        editable = {id(v) for v in self.editable}
        nodes = []
        for v in self.order:
            if v.op is not None and id(v.op) not in numbers:
                numbers[id(v.op)] = len(ops)
                ops.append(v.op)
            nodes.append({
                "name": self.names[id(v)], "kind": kind(v, self.root, self.params),
                "data": encode(v.data),
                "editable": id(v) in editable,
                "op": -1 if v.op is None else numbers[id(v.op)],
                "parents": [index[id(p)] for p in v.parents],
                "order": list(accumulation_order(v)) if v.op is not None else [],
                # explain's words for each local derivative, for the quiz's feedback
                "formulas": [] if v.op is None else v.op.local_text(
                    [self.names[id(p)] for p in v.parents], self.names[id(v)]),
            })
        goal = None if self.target is None else {"target": self.target, "tol": self.tol}
        return {"nodes": nodes, "ops": [op.name for op in ops], "goal": goal, "_ops": ops}

    def html(self, title: str = "weightgrad playground") -> str:
        """The page's HTML text (self-contained)."""
        from .draw import render_graph
        from .explain import Explanation
        from .explain_html import inline_svg
        from .playground_page import render_page
        from .render import render_svg

        check_label(title, "playground: title")
        grads = Explanation(self.root).grads  # Python's numbers for the first picture
        picture = render_graph(self.root, self.order, self.names, grads=grads,
                               cell_width=CELL_WIDTH, params=self.params)
        data = self.graph_data()
        ops = data.pop("_ops")
        return render_page(title, inline_svg(render_svg(picture), "pg-"), data, ops)

    def save_html(self, path: str | Path, title: str = "weightgrad playground") -> Path:
        page = self.html(title)  # a graph the page cannot take is refused before any write
        return files.write_atomic(path, page, "the page", make_folder=True)

    def _repr_html_(self) -> str:
        return iframe(self.html(), 640)


def playground(root: Value, params: Iterable[Value | str] | None = None,
               target: float | None = None, tol: float = 1e-9) -> Playground:
    """A live page for the graph behind `root` (see the module docstring); with `target`, a
    goal for the root that the page says is reached when |root - target| <= tol."""
    return Playground(root, params, target, tol)


def _goal(target: object, tol: object) -> tuple[float | None, float]:
    for what, x in (("target", target), ("tol", tol)):
        if x is None and what == "target":
            continue
        if isinstance(x, bool) or not isinstance(x, Real) or not math.isfinite(float(x)):
            raise ValueError(f"playground: {what} must be a finite number, got {x!r:.60}")
    if float(tol) < 0:  # type: ignore[arg-type]
        raise ValueError(f"playground: tol must be >= 0, got {tol!r}")
    return (None if target is None else float(target)), float(tol)  # type: ignore[arg-type]


def page_json(data: dict) -> str:
    """JSON safe inside a <script> element: no `<`, `>` or `&` that could end it."""
    text = json.dumps(data, allow_nan=False, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

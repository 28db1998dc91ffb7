"""`explain(root)`: the story of one forward and one backward pass, one step at a time.

Forward: every computed node in topological order with its numbers
(`n1 = x1 * w1 = 5 * 0.7 = 3.5`). Backward: the seed `out.grad = 1`, then every chain-rule
step in the order backprop takes it (`w1.grad += n1.grad * x1 = 1 * 5 = 5`). The story is
computed on its own, from zero, exactly as `backward()` would compute it, without touching
any `.grad`: explaining a graph never changes it.

It prints as an aligned table (`print(explain(out))`), renders one SVG frame per step (the
graph with what is known so far, the step's node outlined in red), and as one self-contained
HTML page that steps through the frames.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import files
from .autograd import accumulation_order, topological_order
from .names import MAX_NODES, GraphTooLarge, check_root, check_size, fmt, node_names
from .value import Value, check_label

if TYPE_CHECKING:
    from .render import Graph

MAX_FRAMES = 400  # SVG frames per story; the table has no limit


@dataclass(frozen=True)
class Step:
    """One line of the story: `target`'s data (forward) or grad (backward) changes."""

    kind: str  # "forward" or "backward"
    target: Value  # the node whose data or grad this step sets
    source: Value | None  # backward: the node whose grad is being passed on
    text: str
    value: float  # target's data (forward) or its grad so far (backward)


class Explanation:
    """The steps of one forward and backward pass through the graph behind `root`."""

    def __init__(self, root: Value) -> None:
        self.root = check_root(root, "explain")
        self.order = topological_order(root)  # the table has no size limit; pictures do
        self.names = node_names(self.order)
        self.steps: list[Step] = []
        self.grads: dict[int, float] = {}
        self._forward()
        self._backward()

    def name(self, v: Value) -> str:
        return self.names[id(v)]

    def _forward(self) -> None:
        for v in self.order:
            if v.is_leaf:
                continue
            parents = [self.name(p) for p in v.parents]
            numbers = [fmt(p.data) for p in v.parents]
            text = (f"{self.name(v)} = {v.op.expression(parents)} = "
                    f"{v.op.expression(numbers)} = {fmt(v.data)}")
            self.steps.append(Step("forward", v, None, text, v.data))

    def _backward(self) -> None:
        root, grads = self.root, self.grads
        grads[id(root)] = 1.0
        self.steps.append(Step("backward", root, None,
                               f"{self.name(root)}.grad = 1 (d{self.name(root)}/d"
                               f"{self.name(root)})", 1.0))
        for v in reversed(self.order):
            if v.is_leaf:
                continue
            g = grads[id(v)]
            parents = v.parents
            datas = [p.data for p in parents]
            gains = v.op.chain(g, v.data, *datas)
            sums = v.op.chain_text(g, v.data, *datas, fmt=fmt)
            formulas = v.op.local_text([self.name(p) for p in parents], self.name(v))
            for i in accumulation_order(v):  # backward()'s order, so totals match it exactly
                parent, gained, formula = parents[i], gains[i], formulas[i]
                before = grads.get(id(parent))
                total = gained if before is None else before + gained
                grads[id(parent)] = total
                text = (f"{self.name(parent)}.grad += {self.name(v)}.grad * {formula} = "
                        f"{sums[i]} = {fmt(gained)}")
                if before is not None:
                    text += f" (total {fmt(total)})"
                self.steps.append(Step("backward", parent, v, text, total))

    # -- views ------------------------------------------------------------------------

    def table(self) -> str:
        """The steps as an aligned plain-text table, then every leaf's gradient."""
        rows = [("#", "pass", "node", "step")]
        rows += [(str(i), s.kind, self.name(s.target), s.text)
                 for i, s in enumerate(self.steps, 1)]
        widths = [max(len(r[c]) for r in rows) for c in range(3)]
        lines = [f"{r[0]:>{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}"
                 for r in rows]
        leaves = [v for v in self.order if v.is_leaf and v.label]
        summary = ", ".join(f"{self.name(v)} {fmt(self.grads.get(id(v), 0.0))}" for v in leaves)
        lines.append(f"{self.name(self.root)} = {fmt(self.root.data)}; gradients: {summary}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def graph(self, k: int) -> Graph:
        """The picture after step k (0-based): what is known then, step k's node in red."""
        from .draw import render_graph  # Graphviz only once a picture is asked for

        step = self.steps[k]
        leaves = {id(v) for v in self.order if v.is_leaf}
        done = self.steps[: k + 1]
        known = leaves | {id(s.target) for s in done if s.kind == "forward"}
        grads: dict[int, float] | None = None
        if step.kind == "backward":
            known, grads = None, {}
            for s in done:
                if s.kind == "backward":
                    grads[id(s.target)] = s.value
        return render_graph(self.root, self.order, self.names, grads=grads, known=known,
                            highlight=step.target)

    def frames(self, timeout: float | None = None) -> list:
        """One `engine.explain_html.Frame` (SVG, narration, node, kind) per step. The time
        limit (default: one picture's, render.TIMEOUT_SECONDS) covers every frame together,
        so a long story is refused with RenderTimeout rather than taking limit × frames."""
        from . import render
        from .explain_html import Frame

        check_size(self.order, MAX_NODES)
        if len(self.steps) > MAX_FRAMES:
            raise GraphTooLarge(f"this story has {len(self.steps)} steps; pictures are drawn "
                                f"for at most {MAX_FRAMES} (the table has no limit)")
        deadline = time.monotonic() + (render.TIMEOUT_SECONDS if timeout is None else timeout)
        return [Frame(svg=render.render_svg(self.graph(k), timeout=deadline - time.monotonic()),
                      narration=s.text, node=self.name(s.target), kind=s.kind)
                for k, s in enumerate(self.steps)]

    def svg_frames(self) -> list[str]:
        return [f.svg for f in self.frames()]

    def save_frames(self, folder: str | Path, prefix: str = "step") -> list[Path]:
        folder = Path(folder)
        svgs = self.svg_frames()  # refuses a story too long to draw before touching the disk
        return [files.write_atomic(folder / f"{prefix}_{k:03d}.svg", svg, "the picture",
                                   make_folder=True) for k, svg in enumerate(svgs, 1)]

    def html(self, title: str = "Backpropagation, step by step") -> str:
        """One self-contained HTML page (inline SVG, no network) stepping through the story."""
        from .explain_html import render_page

        return render_page(check_label(title, "explain: title"), self.frames())

    def save_html(self, path: str | Path, title: str = "Backpropagation, step by step") -> Path:
        page = self.html(title)  # refuses a story too long to draw before touching the disk
        return files.write_atomic(path, page, "the page", make_folder=True)

    def _repr_html_(self) -> str:
        """Jupyter shows the stepper inline, in an iframe (engine.page: the page's script
        runs isolated from the notebook's)."""
        from .page import iframe

        return iframe(self.html(), 720)


def explain(root: Value) -> Explanation:
    """The step-by-step story of one forward and backward pass to `root`."""
    return Explanation(root)

"""Draw a computation graph: one record per Value (name | data | grad), one node per op.

Colours (engine.palette) tell the kinds of node apart at a glance: inputs grey, parameters
(Values with a `requires_grad` flag, such as nn's weights) yellow, the output green,
intermediate results white and constants dashed. A gradient is blue when positive and orange
when negative (the colours of TensorFlow Playground). Drawn before `backward()`, gradients
read "grad ?": not computed yet, rather than a misleading 0. Node order follows the graph's
topological order, so the same graph always gives the same DOT text. A node used more than
three times is drawn in full once and as a small dashed copy of its name beside each other
use, so that high fan-out (a weight shared by 300 ops) lays out in linear time.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Collection, Mapping

import graphviz

from .autograd import topological_order
from .names import (  # noqa: F401  (GraphTooLarge and fmt: draw's public names too)
    MAX_NODES,
    GraphTooLarge,
    check_root,
    check_size,
    fmt,
    kind,
    node_names,
)
from .palette import EDGE, FILL, HIGHLIGHT, UNKNOWN, sign_colour
from .render import Graph
from .value import Value

# A node used more often than this is drawn in full once (with an edge to its first use) and
# as a small dashed copy of its name beside every other use: layout time grows much faster
# than linearly with a node's edges (a leaf used 300 times took graphviz-pure 120 s, and
# Graphviz's dot crashed), while copies keep it linear.
MAX_EDGES_FROM_NODE = 3


RANKDIRS = ("LR", "TB", "RL", "BT")  # Graphviz's rankdir values


def dot_text(text: str) -> str:
    """`text` as a DOT attribute value (a label, tooltip, id, cluster label) that Graphviz
    shows exactly as written and never reads as markup: every backslash doubled (else `\\N`
    would become the node's name and `\\l` a line break), `&` written as `&amp;` (else
    `&lt;` would show as `<`), and marked as not HTML (else `<...>` would be read as an
    HTML-like label, where attributes such as URL="javascript:..." can be injected). The
    graphviz package then quotes it and escapes its double quotes."""
    return graphviz.nohtml(text.replace("\\", "\\\\").replace("&", "&amp;"))


def html_text(text: str) -> str:
    """`text` inside an HTML-like label, shown as written: `<`, `>`, `&` and quotes as
    entities; and after each backslash the text goes on in a new `<FONT>` run, because
    graphviz-pure expands `\\N`, `\\G` and `\\E` even inside HTML-like labels (Graphviz's dot
    does not, and renders the runs as one line of text either way)."""
    escaped = html.escape(text)
    if "\\" not in escaped:
        return escaped
    runs = re.findall(r"[^\\]*\\|[^\\]+", escaped)
    return "".join(f"<FONT>{run}</FONT>" for run in runs)


def check_choice(who: str, name: str, value: object, choices: tuple[str, ...]) -> str:
    """`value` if it is one of `choices`; ValueError (TypeError for a non-str) naming it."""
    if isinstance(value, str) and value in choices:
        return value
    got = f"{value!r:.60}" if isinstance(value, str) else f"{type(value).__name__}: {value!r:.60}"
    error = ValueError if isinstance(value, str) else TypeError
    raise error(f"{who}: {name} must be one of {', '.join(choices)}, got {got}")


def checked_order(root: Value, max_nodes: int = MAX_NODES) -> list[Value]:
    return check_size(topological_order(check_root(root, "draw_graph")), max_nodes)


def _record(name: str, data: str, grad: str, grad_color: str, fill: str, bold: bool,
            cell_width: int = 0) -> str:
    """An HTML-like Graphviz label: three cells, name | data | grad (the number cells at
    least `cell_width` points wide, so that a page can write longer numbers into them)."""
    name_cell = f"<B>{html_text(name)}</B>" if bold else html_text(name)
    width = f' WIDTH="{cell_width}"' if cell_width else ""
    return (f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
            f'BGCOLOR="{fill}"><TR><TD>{name_cell}</TD><TD{width}>data {data}</TD>'
            f'<TD{width}><FONT COLOR="{grad_color}">grad {grad}</FONT></TD></TR></TABLE>>')


def render_graph(root: Value, order: list[Value], names: Mapping[int, str], *,
                 grads: Mapping[int, float] | None, known: Collection[int] | None = None,
                 highlight: Value | None = None, rankdir: str = "LR",
                 cell_width: int = 0, params: Collection[int] | None = None) -> Graph:
    """The drawing itself. `grads`: id -> grad to show (absent: "?"); `known`: ids whose
    data is shown (None: all); `highlight`: the node outlined in red; `cell_width`: the
    least width of the data and grad cells, in points (0: as wide as their text); `params`:
    the ids drawn as parameters (None: nn's Parameters)."""
    check_choice("draw_graph", "rankdir", rankdir, RANKDIRS)
    g = Graph("weightgrad", graph_attr={"rankdir": rankdir, "nodesep": "0.25"},
              node_attr={"fontname": "Helvetica", "fontsize": "11"},
              edge_attr={"arrowsize": "0.7", "color": EDGE})
    index = {id(v): i for i, v in enumerate(order)}
    uses = Counter(id(p) for v in order for p in v.parents)
    first_use: set[int] = set()
    for i, v in enumerate(order):
        k = kind(v, root, params)
        data = fmt(v.data) if known is None or id(v) in known else "?"
        grad = grads.get(id(v)) if grads is not None else None
        grad_text = "?" if grad is None else fmt(grad)
        color = UNKNOWN if grad is None else sign_colour(grad)
        lit = v is highlight
        label = _record(names[id(v)], data, grad_text, color, FILL[k], k != "constant",
                        cell_width)
        attrs = {"shape": "plain", "tooltip": dot_text(f"{names[id(v)]} ({k})")}
        if lit:
            attrs.update(shape="box", color=HIGHLIGHT, penwidth="3", margin="0")
        if k == "constant":
            attrs["style"] = "dashed"
        g.node(f"n{i}", label=label, **attrs)
        if v.is_leaf:
            continue
        op = f"n{i}op"
        g.node(op, label=dot_text(v.op.symbol),
               shape="circle" if len(v.op.symbol) <= 2 else "ellipse",
               width="0.3", margin="0.02", tooltip=dot_text(v.op.name))
        for k, parent in enumerate(v.parents):  # one edge per use: `a + a` gets two
            source = f"n{index[id(parent)]}"
            if uses[id(parent)] > MAX_EDGES_FROM_NODE:
                if id(parent) in first_use:  # later uses: a small dashed copy beside the op
                    source = f"{op}ref{k}"
                    g.node(source, label=dot_text(names[id(parent)]), shape="box",
                           style="dashed", fontsize="9", margin="0.02", height="0.2",
                           tooltip=dot_text(f"{names[id(parent)]}, used {uses[id(parent)]} "
                                            "times: drawn in full once, referred to at each "
                                            "other use"))
                first_use.add(id(parent))
            g.edge(source, op)
        g.edge(op, f"n{i}")
    return g


def draw_graph(root: Value, rankdir: str = "LR", highlight: Value | None = None,
               max_nodes: int = MAX_NODES) -> Graph:
    """The computation graph behind `root` as a Digraph (render with `render_svg`).

    Gradients are shown once `root.backward()` has run (root.grad is then nonzero);
    before that they read "?". Raises GraphTooLarge past `max_nodes` Values.
    """
    order = checked_order(root, max_nodes)
    grads = {id(v): v.grad for v in order} if root.grad != 0.0 else None
    return render_graph(root, order, node_names(order), grads=grads, highlight=highlight,
                        rankdir=rankdir)

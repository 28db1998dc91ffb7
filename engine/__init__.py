"""weightgrad's engine: the scalar `Value`, its graph, backprop, and tools that look at a graph.

`weightgrad.engine` never imports `weightgrad.nn`: it knows nothing of neurons, only of numbers
and how they were computed. The core (value, ops, autograd, gradcheck, anomaly) needs only the
standard library; the pictures (draw_graph, render_svg, explain's frames and pages) load
Graphviz when first used, so training runs where Graphviz is missing.
"""

from typing import TYPE_CHECKING

# explain and playground load no picture library until a picture is asked for, so they are
# imported here, not lazily: a function named like its module must be bound before anything
# imports the module, which would otherwise leave the module as the package's attribute.
from .anomaly import AnomalyError, detect_anomaly, find_nonfinite, is_anomaly_enabled
from .autograd import is_grad_enabled, no_grad, topological_order
from .explain import Explanation, explain
from .gradcheck import GradcheckError, gradcheck
from .lazy import lazy_names
from .names import GraphTooLarge
from .playground import Playground, playground
from .value import Value, apply

# name -> the module that defines it, imported on first use (PEP 562): these load Graphviz
_LAZY = {
    "draw_graph": "draw",
    "Graph": "render", "RenderError": "render", "RendererNotFound": "render",
    "RenderTimeout": "render",
    "render_svg": "render", "save_svg": "render",
}

if TYPE_CHECKING:
    from .draw import draw_graph
    from .render import (
        Graph,
        RendererNotFound,
        RenderError,
        RenderTimeout,
        render_svg,
        save_svg,
    )


__getattr__, __dir__ = lazy_names(globals(), _LAZY)

__all__ = [
    "AnomalyError",
    "Explanation",
    "GradcheckError",
    "Graph",
    "GraphTooLarge",
    "Playground",
    "RenderError",
    "RenderTimeout",
    "RendererNotFound",
    "Value",
    "apply",
    "detect_anomaly",
    "draw_graph",
    "explain",
    "find_nonfinite",
    "gradcheck",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "playground",
    "render_svg",
    "save_svg",
    "topological_order",
]

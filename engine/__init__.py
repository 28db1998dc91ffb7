"""weightgrad's engine: the scalar `Value`, its graph, backprop, and tools that look at a graph.

`engine` never imports `nn`: it knows nothing of neurons, only of numbers and how they were
computed.
"""

from .anomaly import AnomalyError, detect_anomaly, find_nonfinite, is_anomaly_enabled
from .autograd import is_grad_enabled, no_grad, topological_order
from .draw import GraphTooLarge, draw_graph
from .explain import Explanation, explain
from .gradcheck import GradcheckError, gradcheck
from .render import Graph, RendererNotFound, RenderError, render_svg, save_svg
from .value import Value

__all__ = [
    "AnomalyError",
    "Explanation",
    "GradcheckError",
    "Graph",
    "GraphTooLarge",
    "RenderError",
    "RendererNotFound",
    "Value",
    "detect_anomaly",
    "draw_graph",
    "explain",
    "find_nonfinite",
    "gradcheck",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "render_svg",
    "save_svg",
    "topological_order",
]

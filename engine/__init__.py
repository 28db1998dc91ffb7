"""weightgrad's engine: the scalar `Value`, its graph, backprop, and tools that look at a graph.

`engine` never imports `nn`: it knows nothing of neurons, only of numbers and how they were
computed.
"""

from engine.anomaly import AnomalyError, detect_anomaly, find_nonfinite, is_anomaly_enabled
from engine.autograd import is_grad_enabled, no_grad, topological_order
from engine.draw import GraphTooLarge, draw_graph
from engine.explain import Explanation, explain
from engine.gradcheck import GradcheckError, gradcheck
from engine.render import Graph, RendererNotFound, RenderError, render_svg, save_svg
from engine.value import Value

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

"""weightgrad's engine: the scalar `Value`, its graph, backprop, and tools that look at a graph.

`engine` never imports `nn`: it knows nothing of neurons, only of numbers and how they were
computed.
"""

from engine.autograd import is_grad_enabled, no_grad, topological_order
from engine.gradcheck import GradcheckError, gradcheck
from engine.value import Value

__all__ = [
    "GradcheckError",
    "Value",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "topological_order",
]

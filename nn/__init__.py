"""weightgrad's neural-network pieces, built from engine Values so every weight can be named,
read, trained, saved and drawn.

    from weightgrad.nn import MLP, hinge_loss
    from weightgrad.nn.optim import SGD
    model = MLP(2, [16, 16, 1], seed=0)   # micrograd's network, weights U(-1, 1), biases 0
"""

from . import attention, flow, init, optim, prune, quantize, serialization
from .attention import SelfAttention
from .conv import Conv1d
from .data import make_moons
from .draw import draw_network
from .layers import MLP, Layer, Neuron
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l1_penalty,
    l2_penalty,
    mse_loss,
    softmax,
)
from .module import IncompatibleKeys, Module
from .optim import SGD, Adam, AdamW, Lion, clip_grad_norm
from .parameter import Parameter, is_trainable
from .rnn import RNNCell, unroll

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "AdamW",
    "Conv1d",
    "IncompatibleKeys",
    "Layer",
    "Lion",
    "Module",
    "Neuron",
    "Parameter",
    "RNNCell",
    "SelfAttention",
    "attention",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "clip_grad_norm",
    "cross_entropy",
    "draw_network",
    "flow",
    "hinge_loss",
    "init",
    "is_trainable",
    "l1_penalty",
    "l2_penalty",
    "make_moons",
    "mse_loss",
    "optim",
    "prune",
    "quantize",
    "serialization",
    "softmax",
    "unroll",
]

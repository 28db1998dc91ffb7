"""weightgrad's neural-network pieces, built from engine Values so every weight can be named,
read, trained, saved and drawn.

    from weightgrad.nn import MLP, hinge_loss
    from weightgrad.nn.optim import SGD
    model = MLP(2, [16, 16, 1], seed=0)   # micrograd's network, weights U(-1, 1), biases 0
"""

from typing import TYPE_CHECKING

from weightgrad.engine.lazy import lazy_names

from . import attention, flow, init, optim, prune, quantize, serialization
from .activation_modules import LeakyReLU, ReLU, Sigmoid, Tanh
from .attention import SelfAttention
from .conv import Conv1d
from .conv2d import Conv2d
from .data import load_digits, make_moons
from .layers import MLP, Layer, Neuron
from .linear import Linear
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
from .model_files import load_model
from .module import IncompatibleKeys, Module
from .moe import MixtureOfExperts
from .multihead import MultiheadAttention
from .network_playground import network_playground  # no Graphviz until a page is made
from .optim import SGD, Adam, AdamW, Lion, clip_grad_norm
from .parameter import Parameter, is_trainable
from .pooling import MaxPool2d
from .rnn import RNNCell, unroll
from .sequential import Flatten, Sequential
from .torch_source import to_torch_source
from .weight_groups import WeightGroup

# Pictures load Graphviz (draw_network) or an XML writer (draw_weights), so they are imported
# on first use (PEP 562): training needs neither. name -> the module that defines it.
_LAZY = {"draw_network": "draw", "draw_weights": "hinton",
         # safetensors files need numpy and safetensors (the interop extra)
         "save_safetensors": "safetensors_io", "load_safetensors": "safetensors_io"}

if TYPE_CHECKING:
    from .draw import draw_network
    from .hinton import draw_weights
    from .safetensors_io import load_safetensors, save_safetensors


__getattr__, __dir__ = lazy_names(globals(), _LAZY)

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "AdamW",
    "Conv1d",
    "Conv2d",
    "Flatten",
    "IncompatibleKeys",
    "Layer",
    "LeakyReLU",
    "Linear",
    "Lion",
    "MaxPool2d",
    "MixtureOfExperts",
    "Module",
    "MultiheadAttention",
    "Neuron",
    "Parameter",
    "RNNCell",
    "ReLU",
    "SelfAttention",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "WeightGroup",
    "attention",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "clip_grad_norm",
    "cross_entropy",
    "draw_network",
    "draw_weights",
    "flow",
    "hinge_loss",
    "init",
    "is_trainable",
    "l1_penalty",
    "l2_penalty",
    "load_digits",
    "load_model",
    "load_safetensors",
    "make_moons",
    "mse_loss",
    "network_playground",
    "optim",
    "prune",
    "quantize",
    "save_safetensors",
    "serialization",
    "softmax",
    "to_torch_source",
    "unroll",
]

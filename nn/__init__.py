"""weightgrad's neural-network pieces, built from engine Values so every weight can be named,
read, trained, saved and drawn."""

from nn.parameter import Parameter, is_trainable

__all__ = ["Parameter", "is_trainable"]

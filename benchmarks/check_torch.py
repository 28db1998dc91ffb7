"""Every module kind through real PyTorch and back, for people who have torch installed:

    python -m benchmarks.check_torch       (from the repository's root, torch importable)

For each kind of tests/interop_kinds.py:
- weightgrad -> PyTorch: `save_safetensors`, then the model `to_torch_source` defines loads the
  file with `load_state_dict(..., strict=True)`; its tensors must equal the weights exactly and
  its outputs on the same input must match weightgrad's;
- PyTorch -> weightgrad: a torch model initialised by torch itself is saved with
  `safetensors.torch.save_file`, loaded by `load_safetensors` into a weightgrad model of the
  same architecture, and the outputs compared again; the same torch weights saved as float32
  and bfloat16 must load to exactly the numbers torch holds.
It prints the largest |difference| per kind and overall, and exits 1 if any output differs by
more than TOLERANCE (float64 on both sides: only the order of additions differs) or any weight
by anything at all. PyTorch is a multi-gigabyte install, so this is not part of `make test`.
"""

from __future__ import annotations

import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.interop_kinds import KINDS
from weightgrad.engine import Value
from weightgrad.nn import (
    Conv1d,
    Flatten,
    Module,
    MultiheadAttention,
    RNNCell,
    SelfAttention,
    Sequential,
    load_safetensors,
    save_safetensors,
    to_torch_source,
)
from weightgrad.nn.torch_names import torch_state_groups

TOLERANCE = 1e-12


def _nested(rng: random.Random, *shape: int) -> Any:
    if len(shape) == 1:
        return [rng.uniform(-2.0, 2.0) for _ in range(shape[0])]
    return [_nested(rng, *shape[1:]) for _ in range(shape[0])]


def example(model: Module, rng: random.Random) -> list[tuple[list[Any], dict[str, Any]]]:
    """Inputs for one forward call each, as (positional arguments, keyword arguments), built
    from nested lists; the same lists become tensors on the torch side."""
    if isinstance(model, RNNCell):
        return [([_nested(rng, model.input_size), _nested(rng, model.hidden_size)], {})]
    if isinstance(model, (SelfAttention, MultiheadAttention)):
        width = model.d_model if isinstance(model, SelfAttention) else model.embed_dim
        tokens = _nested(rng, 3, width)
        return [([tokens], {}), ([tokens], {"causal": True})]
    if isinstance(model, Conv1d):
        return [([_nested(rng, model.in_channels, 5)], {})]
    if type(model).__name__ == "Conv2d":
        return [([_nested(rng, model.in_channels, 4, 5)], {})]  # type: ignore[attr-defined]
    if isinstance(model, Sequential):  # what its first module takes, or 2 x 2 to flatten
        return [([_nested(rng, 2, 2)], {})] if isinstance(model[0], Flatten) else \
            example(model[0], rng)
    # MLP, Layer and Neuron take `nin` numbers, Linear `in_features`
    return [([_nested(rng, getattr(model, "nin", None) or model.in_features)], {})]  # type: ignore[attr-defined]


def _flat(out: Any) -> list[float]:
    if isinstance(out, Value):
        return [out.data]
    if isinstance(out, (list, tuple)):
        return [x for item in out for x in _flat(item)]
    if hasattr(out, "detach"):  # a torch tensor
        return [float(x) for x in out.detach().flatten().tolist()]
    return [float(out)]


def torch_call(torch: Any, model: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    tensors = [torch.tensor(a, dtype=torch.float64) for a in args]
    if type(model).__name__ == "MultiheadAttention":  # torch's takes query, key, value
        causal = kwargs.get("causal", False)
        n = tensors[0].shape[0]
        mask = torch.ones(n, n, dtype=torch.bool).triu(1) if causal else None
        return model(tensors[0], tensors[0], tensors[0], attn_mask=mask)
    return model(*tensors, **kwargs)


def largest(a: list[float], b: list[float]) -> float:
    if len(a) != len(b):
        raise AssertionError(f"{len(a)} numbers against {len(b)}")
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0)


def check(kind: str, build: Callable[[int], Module], torch: Any, st: Any, folder: Path
          ) -> tuple[float, float]:
    """(largest output difference, largest weight difference) for one kind, both ways."""
    rng = random.Random(0)
    outputs, weights = 0.0, 0.0
    namespace: dict[str, Any] = {}
    model = build(1)
    exec(to_torch_source(model), namespace)
    twin = namespace["model"]
    save_safetensors(model, folder / f"{kind}.safetensors")
    twin.load_state_dict(st.load_file(folder / f"{kind}.safetensors"))  # strict
    state = twin.state_dict()
    # weightgrad -> torch: every tensor holds exactly the weights
    for key, group in torch_state_groups(model):
        weights = max(weights, largest(_flat(state[key]), [p.data for p in group.params]))
    for args, kwargs in example(model, rng):
        outputs = max(outputs, largest(_flat(model(*args, **kwargs)),
                                       _flat(torch_call(torch, twin, args, kwargs))))
    # torch -> weightgrad: torch's own initialisation, saved by torch
    torch.manual_seed(len(kind))
    exec(to_torch_source(model), namespace)
    theirs = namespace["model"]
    st.save_file(theirs.state_dict(), folder / f"{kind}-torch.safetensors")
    ours = build(2)
    load_safetensors(ours, folder / f"{kind}-torch.safetensors")
    for args, kwargs in example(ours, rng):
        outputs = max(outputs, largest(_flat(ours(*args, **kwargs)),
                                       _flat(torch_call(torch, theirs, args, kwargs))))
    for dtype in (torch.float32, torch.float16, torch.bfloat16):
        narrow = {k: v.to(dtype).contiguous() for k, v in theirs.state_dict().items()}
        st.save_file(narrow, folder / f"{kind}-{dtype}.safetensors")
        load_safetensors(ours, folder / f"{kind}-{dtype}.safetensors")
        for key, group in torch_state_groups(ours):
            weights = max(weights, largest(_flat(narrow[key].double()),
                                           [p.data for p in group.params]))
    return outputs, weights


def main() -> int:
    try:
        import safetensors.torch as st
        import torch
    except ImportError as e:
        print(f"check_torch needs PyTorch and safetensors ({e}); in a virtual environment: "
              "pip install torch safetensors", file=sys.stderr)
        return 2
    print(f"torch {torch.__version__}: each kind to PyTorch and back, largest |difference|")
    worst_out, worst_weight = 0.0, 0.0
    with tempfile.TemporaryDirectory() as folder:
        for kind, build in KINDS.items():
            out, weight = check(kind, build, torch, st, Path(folder))
            print(f"  {kind:28} outputs {out:<9.3g} weights {weight:.3g}")
            worst_out, worst_weight = max(worst_out, out), max(worst_weight, weight)
    print(f"largest difference: outputs {worst_out:.3g}, weights {worst_weight:.3g} "
          f"({len(KINDS)} module kinds)")
    return 0 if worst_out <= TOLERANCE and worst_weight == 0.0 else 1


if __name__ == "__main__":
    sys.exit(main())

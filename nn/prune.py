"""Pruning: zero a model's smallest (or random) weights and keep them at zero while it trains.

After torch.nn.utils.prune. `l1_unstructured` zeroes the weights of smallest |w| (magnitude
pruning), `random_unstructured` zeroes weights drawn from a `random.Random`; both prune
weights only, never biases, of any Module: the weights are its weight groups of kind
"weight" (nn/weight_groups.py), never found by name. Either per group (`scope="layer"`: each
Layer of an MLP on its own, a Conv1d's kernel, an RNNCell's weight_ih and weight_hh apart,
SelfAttention's q, k, v and out apart) or over the whole model at once (`scope="global"`,
torch.nn.utils.prune.global_unstructured). A pruned weight gets `.data = 0.0` and
`.pruned = True`; every optimizer skips pruned Parameters (nn.parameter.is_trainable), so
the zero holds through training, weight decay included, while backprop still shows its grad.
`remove` makes pruning permanent as prune.remove does: the zeros stay, the masks go.

`amount` follows PyTorch: an int is a count of weights, a float in [0, 1] a fraction, so
`amount=1` prunes one weight and `amount=1.0` all of them. Pruning is cumulative, as
PyTorch's PruningContainer: a new call ranks only the still-unpruned weights and prunes
`amount` of *those* (0.5 then 0.5 leaves a quarter of the weights, not a half).
"""

from __future__ import annotations

import math
import random

from . import checks
from .module import Module, check_module, weight_groups_of
from .parameter import Parameter
from .weight_groups import report_name

SCOPES = ("layer", "global")

Weights = list[tuple[str, Parameter]]  # (dotted name, weight) in parameter order


def _groups(module: object, who: str) -> list[tuple[str, Weights]]:
    """The model's weight groups of kind "weight" (never a bias), each with its Parameters'
    dotted names: `layers.0` of an MLP, a Conv1d's kernel, an RNNCell's `weight_ih`, ..."""
    groups = weight_groups_of(module, who, "module")
    names = {id(p): n for n, p in module.named_parameters()}  # type: ignore[union-attr]
    return [(report_name(m, g, module), [(names[id(p)], p) for p in g.params])
            for m, g in groups if g.kind == "weight"]


def _plan(module: object, amount: object, scope: object, who: str
          ) -> list[tuple[list[Parameter], int]]:
    """(unpruned weights, how many to prune) per pool, every check done before any change."""
    # torch.nn.utils.prune._validate_pruning_amount_init: an int count or a float fraction.
    amount = checks.count_or_fraction(who, "amount", amount)
    checks.choice(who, "scope", scope, SCOPES)
    groups = _groups(module, who)
    if scope == "global":
        groups = [("the model", [w for _, weights in groups for w in weights])]
    plan = []
    for where, weights in groups:
        alive = [p for _, p in weights if not p.pruned]
        if isinstance(amount, int):
            if amount > len(alive):  # torch.nn.utils.prune._validate_pruning_amount
                raise ValueError(f"{who}: amount={amount} is more than the {len(alive)} "
                                 f"unpruned weights of {where}")
            k = amount
        else:
            # torch.nn.utils.prune._compute_nparams_toprune: Python's round (half to even).
            k = round(amount * len(alive))
        plan.append((alive, k))
    return plan


def _zero(chosen: list[Parameter]) -> None:
    for p in chosen:
        p.data = 0.0
        p.pruned = True


def l1_unstructured(module: Module, amount: int | float, scope: str = "layer") -> Module:
    """Prune `amount` of the unpruned weights with the smallest |w|, per layer or globally.

    Ties go to the weight that comes first in parameter order; NaN counts as the largest
    magnitude, as in torch.topk. Returns the module, as PyTorch's functions do.
    """
    for alive, k in _plan(module, amount, scope, "l1_unstructured"):
        # sorted() is stable, so equal magnitudes keep parameter order: ties are deterministic.
        ranked = sorted(alive, key=lambda p: (math.isnan(p.data), abs(p.data)))
        _zero(ranked[:k])
    return module


def random_unstructured(module: Module, amount: int | float, rng: random.Random,
                        scope: str = "layer") -> Module:
    """Prune `amount` of the unpruned weights chosen uniformly at random by `rng`."""
    checks.rng("random_unstructured", rng, optional=False)
    for alive, k in _plan(module, amount, scope, "random_unstructured"):
        _zero([alive[i] for i in rng.sample(range(len(alive)), k)])
    return module


def remove(module: Module) -> Module:
    """Make pruning permanent: pruned weights stay 0.0 but become ordinary trainable weights.

    As torch.nn.utils.prune.remove, a module with nothing pruned is refused (ValueError).
    """
    if not any(p.pruned for p in check_module(module, "remove", "module").parameters()):
        raise ValueError(f"remove: {type(module).__name__} has no pruned parameters; "
                         "prune it before removing the pruning")
    for p in module.parameters():
        p.pruned = False
    return module


def is_pruned(module: Module) -> bool:
    """True when any parameter of the module carries a pruning mask."""
    return any(p.pruned for p in check_module(module, "is_pruned", "module").parameters())


def masks(module: Module) -> dict[str, bool]:
    """Every weight's dotted name -> kept? (False where pruned). Biases are never pruned."""
    return {name: not p.pruned for _, weights in _groups(module, "masks") for name, p in weights}


def _row(name: str, weights: list[Parameter]) -> dict[str, object]:
    pruned = sum(p.pruned for p in weights)
    return {"name": name, "weights": len(weights), "pruned": pruned,
            "zeros": sum(p.data == 0.0 for p in weights),
            "fraction": pruned / len(weights) if weights else 0.0}


def sparsity(module: Module) -> dict[str, object]:
    """Per layer and in total: weights, pruned (masked), zeros (exactly 0.0), fraction pruned.

    `zeros` can exceed `pruned`: after `remove` the zeros stay but the masks are gone.
    """
    groups = [(name, [p for _, p in weights]) for name, weights in _groups(module, "sparsity")]
    return {"layers": [_row(name, ws) for name, ws in groups],
            "total": _row("total", [p for _, ws in groups for p in ws])}


def sparsity_report(module: Module) -> str:
    """`sparsity` as an aligned text table, one row per layer and a total."""
    report = sparsity(module)
    header = ["layer", "weights", "pruned", "fraction", "zeros"]
    rows = [[str(r["name"]), str(r["weights"]), str(r["pruned"]), f"{r['fraction']:.1%}",
             str(r["zeros"])] for r in [*report["layers"], report["total"]]]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:  # names left-aligned, numbers right-aligned
        return "  ".join([cells[0].ljust(widths[0])]
                         + [c.rjust(w) for c, w in zip(cells[1:], widths[1:])])

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *map(line, rows[:-1]), rule, line(rows[-1])])

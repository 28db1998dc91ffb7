"""Lesson: regularisation seen in the weights: none, L2 penalty, L1 penalty, decoupled decay.

One seeded MLP(2, [16, 16, 1]); its state_dict is copied into a fresh model per method, so
all four start from the same weights, see the same 64 two-moons points (full batch, binary
cross-entropy with logits) and use the same optimizer, Adam at lr 0.02. Only the
regulariser differs:

- none:      the data loss alone;
- L2:        loss + λ2·Σw² (ridge; its gradient adds 2·λ2·w);
- L1:        loss + λ1·Σ|w| (lasso; its gradient adds λ1·sign(w), the same pull at any size,
             which is why it can park a weight at zero: Tibshirani 1996);
- decoupled: AdamW(weight_decay=wd): the weight itself is shrunk, w *= 1 - lr·wd, outside
             Adam's scaling (Loshchilov & Hutter 2019, "Decoupled Weight Decay
             Regularization"). Not the same as `weight_decay` in SGD or Adam, which adds wd·w
             to the gradient (torch.optim.SGD and Adam docs): L2 in the gradient, i.e. the L2
             row with λ2 = wd / 2, which Adam then divides by sqrt(v) like any gradient.

Penalties and decay apply to every parameter, as micrograd's demo and torch.optim do by
default. The pictures and numbers are about the 304 weights w only: the 33 biases start at
exactly 0, so counting them would measure the initialisation, not the regulariser.
λ1 = λ2 = 0.003 and wd = 0.5 were chosen so that, for seeds 0 to 4, both in --quick and in
full runs, L1 leaves the largest fraction of weights with |w| < 0.01 and L2 and decoupled
decay end with a smaller weight norm than no regularisation.

Run: python -m demos.regularization [--quick] [--seed N] [--out DIR]
"""

from __future__ import annotations

import math
from pathlib import Path

from demos.common import (
    MoonsData,
    bce_loss,
    lesson_parser,
    moons_data,
    progress,
    pyplot,
    save_picture,
)
from weightgrad.engine import no_grad
from weightgrad.nn import MLP, l1_penalty, l2_penalty
from weightgrad.nn.optim import Adam, AdamW

LESSON = "Regularization"
SIZES = [16, 16, 1]
LR = 0.02
L1, L2, WEIGHT_DECAY = 0.003, 0.003, 0.5
NEAR_ZERO = 0.01  # |w| below this counts as "at zero"
METHODS = {"none": "no regularisation", "l2": f"L2 penalty, λ={L2:g}",
           "l1": f"L1 penalty, λ={L1:g}", "decoupled": f"AdamW decay, wd={WEIGHT_DECAY:g}"}


def weights(model: MLP) -> list[float]:
    """The weights w of every neuron, without the biases."""
    return [p.data for name, p in model.named_parameters() if ".w." in name]


def norm(ws: list[float]) -> float:
    return math.sqrt(sum(w * w for w in ws))


def train(start: MLP, method: str, data: MoonsData, steps: int
          ) -> tuple[MLP, list[float], float]:
    """The trained model, its weight norm before each step and after the last, final loss."""
    model = start.copy()
    params = model.parameters()
    opt = (AdamW(params, lr=LR, weight_decay=WEIGHT_DECAY) if method == "decoupled"
           else Adam(params, lr=LR))
    norms = [norm(weights(model))]
    for _ in progress(range(steps), desc=method, unit="step"):
        loss = bce_loss(model, data)
        if method == "l2":
            loss = loss + L2 * l2_penalty(params)
        elif method == "l1":
            loss = loss + L1 * l1_penalty(params)
        opt.zero_grad()
        loss.backward()
        opt.step()
        norms.append(norm(weights(model)))
    with no_grad():
        data_loss = bce_loss(model, data).data
    return model, norms, data_loss


def plot(final: dict[str, list[float]], norms: dict[str, list[float]], out: Path
         ) -> list[Path]:
    plt = pyplot()
    top = max(abs(w) for ws in final.values() for w in ws)
    # The same 61 bins for every method; an odd count puts a bin centred on zero.
    bins = [-top + 2 * top * i / 61 for i in range(62)]
    fig, axes = plt.subplots(len(final), 1, figsize=(6, 7), sharex=True, sharey=True)
    for ax, (method, ws) in zip(axes, final.items()):
        ax.hist(ws, bins=bins, color="#0877bd")
        share = sum(abs(w) < NEAR_ZERO for w in ws) / len(ws)
        ax.set_title(f"{METHODS[method]}: {share:.0%} of weights |w| < {NEAR_ZERO:g}, "
                     f"‖w‖ = {norm(ws):.2f}", fontsize=9)
        ax.set_ylabel("weights")
    axes[-1].set_xlabel("weight value (shared bins)")
    fig.tight_layout()
    written = [save_picture(fig, out / "regularization_histograms.svg",
                            "Regularization: the trained weights under each method "
                            "(shared bins)", LESSON)]

    fig, ax = plt.subplots(figsize=(6, 3.6))
    for method, series in norms.items():
        ax.plot(series, label=METHODS[method])
    ax.set(xlabel="step", ylabel="‖w‖ (L2 norm of the weights)",
           title="Weight norm during training, same start")
    ax.legend(fontsize=8)
    written.append(save_picture(fig, out / "regularization_norms.svg",
                                "Regularization: weight L2 norm over training", LESSON))
    return written


def main(argv: list[str] | None = None) -> dict:
    args = lesson_parser(__doc__.splitlines()[0], seed=0).parse_args(argv)
    steps = 40 if args.quick else 150
    start = MLP(2, SIZES, seed=args.seed)
    data = moons_data()
    final, norms, losses = {}, {}, {}
    for method in METHODS:
        model, norms[method], losses[method] = train(start, method, data, steps)
        final[method] = weights(model)
    near_zero = {m: sum(abs(w) < NEAR_ZERO for w in ws) / len(ws) for m, ws in final.items()}
    final_norm = {m: series[-1] for m, series in norms.items()}

    args.out.mkdir(parents=True, exist_ok=True)
    pictures = plot(final, norms, args.out)
    n = len(final["none"])
    print(f"regularization: after {steps} Adam steps from the same start (weight norm "
          f"{norms['none'][0]:.2f}), the fraction of the {n} weights with |w| < {NEAR_ZERO:g} "
          f"is " + ", ".join(f"{m} {f:.0%}" for m, f in near_zero.items()) + ".")
    print("Weight L2 norms: " + ", ".join(f"{m} {v:.2f}" for m, v in final_norm.items())
          + "; data loss: " + ", ".join(f"{m} {v:.3f}" for m, v in losses.items()) + ".")
    sparsest = near_zero["l1"] > max(near_zero["none"], near_zero["l2"])
    shrunk = max(final_norm["l2"], final_norm["decoupled"]) < final_norm["none"]
    print(f"L1 {'leaves' if sparsest else 'does NOT leave'} the most weights at zero "
          f"({near_zero['l1']:.0%} vs {near_zero['none']:.0%} unregularised and "
          f"{near_zero['l2']:.0%} with L2); L2 and decoupled decay "
          f"{'shrink' if shrunk else 'do NOT both shrink'} the weight norm "
          f"({final_norm['l2']:.2f} and {final_norm['decoupled']:.2f} vs "
          f"{final_norm['none']:.2f} unregularised).")
    print("wrote " + ", ".join(str(p) for p in pictures))
    return {"seed": args.seed, "steps": steps, "near_zero": near_zero, "norm": final_norm,
            "norms": norms, "data_loss": losses, "weights": final, "l1_sparsest": sparsest,
            "decay_shrinks": shrunk}


if __name__ == "__main__":
    main()

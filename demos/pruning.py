"""Lesson: prune the trained two-moons network and see how few of its weights it needs.

Trains micrograd's MLP(2, [16, 16, 1]) as the moons lesson does (hinge loss + 1e-4 L2, SGD),
then for 30, 50, 70 and 90% sparsity copies it (state_dict into a fresh MLP), zeroes the
weights of smallest |w| over the whole network (global magnitude pruning,
nn.prune.l1_unstructured), measures accuracy on 200 held-out points right after pruning and
again after a few fine-tuning steps in which the masks keep pruned weights at exactly 0.
Random pruning of as many weights is the baseline: magnitude is what makes pruning cheap.
Writes accuracy against sparsity and the diagram of the 70% pruned network, whose pruned
weights are simply missing.

Run: python -m demos.pruning [--quick] [--seed N]
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from demos.common import (
    accuracy,
    lesson_parser,
    moons_loss_and_accuracy,
    progress,
    pyplot,
    record_picture,
    save_picture,
    train_moons,
)
from weightgrad.engine import save_svg
from weightgrad.nn import MLP, draw_network, make_moons
from weightgrad.nn.optim import SGD
from weightgrad.nn.prune import l1_unstructured, random_unstructured, sparsity_report

LESSON = "Pruning"
SPARSITIES = (0.3, 0.5, 0.7, 0.9)
SHOWN = 0.7  # the sparsity whose network is drawn and quoted first in the conclusion
# Fine-tuning continues at the learning rate the moons schedule ends with (1.0 - 0.9 = 0.1).
FINETUNE_LR = 0.1
CLOSE = 0.05  # "within a few points of dense": at most 5 percentage points below it


def fine_tune(model: MLP, xs: list[list[float]], ys: list[int], steps: int, desc: str) -> None:
    # Every parameter goes to the optimizer: it skips the pruned ones itself (is_trainable).
    opt = SGD(model.parameters(), lr=FINETUNE_LR)
    for _ in progress(range(steps), desc=desc, unit="step"):
        loss, _ = moons_loss_and_accuracy(model, xs, ys)
        opt.zero_grad()
        loss.backward()
        opt.step()


def plot(results: dict[str, Any], out: Path) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    xs = [0] + [round(100 * s) for s in results["sparsity"]]
    dense = results["dense_accuracy"]
    ax.plot(xs, [dense, *results["finetuned_accuracy"]], "o-", color="#0877bd",
            label=f"magnitude, after {results['finetune_steps']} fine-tuning steps")
    ax.plot(xs, [dense, *results["pruned_accuracy"]], "o--", color="#0877bd", alpha=0.6,
            label="magnitude, right after pruning")
    ax.plot(xs, [dense, *results["random_accuracy"]], "s:", color="#e8710a",
            label="random, right after pruning")
    ax.axhline(0.5, color="#999999", lw=0.8)  # a coin flip on two balanced classes
    ax.set_xlabel("weights pruned (%)")
    ax.set_ylabel("held-out accuracy")
    ax.set_ylim(0.3, 1.03)
    ax.set_title("Two moons: accuracy of the pruned MLP(2, [16, 16, 1])")
    ax.legend(fontsize=8, loc="lower left")
    return save_picture(fig, out / "pruning_accuracy.svg",
                        "Pruning: held-out accuracy against the fraction of weights "
                        "pruned, before and after fine-tuning", LESSON)


def holds_up_to(flags: list[bool]) -> str:
    """The largest sparsity up to which every flag holds, as text ("70%"; "no sparsity")."""
    n = next((k for k, ok in enumerate(flags) if not ok), len(flags))
    return f"{SPARSITIES[n - 1]:.0%}" if n else "no sparsity"


def conclusion(r: dict[str, Any]) -> str:
    """The lesson's claims with their numbers (tests/demos/test_pruning_lesson.py checks each)."""
    def pct(xs: list[float], digits: int = 1) -> str:
        return "/".join(f"{100 * x:.{digits}f}" for x in xs) + "%"

    i, half = SPARSITIES.index(SHOWN), SPARSITIES.index(0.5)
    dense, after, tuned = r["dense_accuracy"], r["pruned_accuracy"], r["finetuned_accuracy"]
    recovered = holds_up_to([t >= dense - CLOSE for t in tuned])
    beaten = holds_up_to([rand < a for rand, a in zip(r["random_accuracy"], after)])
    return (
        f"pruning: at {SHOWN:.0%} sparsity ({r['pruned'][i]} of {r['weights']} weights zeroed) "
        f"held-out accuracy is {after[i]:.1%} right after pruning and {tuned[i]:.1%} after "
        f"{r['finetune_steps']} fine-tuning steps (dense: {dense:.1%}).\n"
        f"The damage grows with sparsity: at {pct(r['sparsity'], 0)} pruned, accuracy is "
        f"{pct(after)} right after pruning; fine-tuning with the masks brings it back to "
        f"{pct(tuned)}, within {100 * CLOSE:.0f} points of dense up to {recovered}.\n"
        f"Magnitude matters: pruning as many weights at random gives "
        f"{pct(r['random_accuracy'])} right after pruning, worse than by magnitude up to "
        f"{beaten} (at 50%: {r['random_accuracy'][half]:.1%} against {after[half]:.1%}).\n"
        "Every pruned weight is still exactly 0 after fine-tuning.")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = lesson_parser(__doc__.splitlines()[0], seed=1337).parse_args(argv)
    train_steps, finetune_steps = (60, 15) if args.quick else (100, 50)
    xs, ys = make_moons(100, noise=0.1, seed=0)
    test_xs, test_ys = make_moons(200, noise=0.1, seed=1)  # held out: never trained on
    dense = MLP(2, [16, 16, 1], seed=args.seed)
    train_moons(dense, xs, ys, train_steps)
    n_weights = sum(len(n.w) for layer in dense.layers for n in layer.neurons)
    results: dict[str, Any] = {
        "dense_accuracy": accuracy(dense, test_xs, test_ys), "weights": n_weights,
        "finetune_steps": finetune_steps, "sparsity": list(SPARSITIES), "pruned": [],
        "pruned_accuracy": [], "finetuned_accuracy": [], "random_accuracy": []}
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for s in SPARSITIES:
        model = l1_unstructured(dense.copy(), s, scope="global")
        pruned = [p for p in model.parameters() if p.pruned]
        results["pruned"].append(len(pruned))
        results["pruned_accuracy"].append(accuracy(model, test_xs, test_ys))
        fine_tune(model, xs, ys, finetune_steps, desc=f"fine-tune {s:.0%}")
        results["finetuned_accuracy"].append(accuracy(model, test_xs, test_ys))
        moved = [p for p in pruned if p.data != 0.0]
        if moved:  # the masks must hold through every optimizer step
            raise AssertionError(f"{len(moved)} pruned weights moved, e.g. {moved[0]!r}")
        baseline = random_unstructured(dense.copy(), s, rng, scope="global")
        results["random_accuracy"].append(accuracy(baseline, test_xs, test_ys))
        if s == SHOWN:
            shown = model
    percent = round(100 * SHOWN)
    paths = [plot(results, args.out)]
    paths.append(save_svg(draw_network(shown), args.out / f"pruning_network_{percent}.svg"))
    record_picture(args.out, paths[-1], f"Pruning: the {percent}% pruned, fine-tuned network; "
                                        "pruned weights are not drawn", LESSON)
    paths.append(args.out / f"pruning_{percent}_weights.json")
    shown.save(paths[-1])
    record_picture(args.out, paths[-1], f"Pruning: the {percent}% pruned network's weights "
                                        "(JSON); pruned ones are exactly 0", LESSON)

    print(f"Global magnitude pruning spreads unevenly over the layers ({percent}% overall):")
    print(sparsity_report(shown))
    print(conclusion(results))
    print("wrote " + ", ".join(str(p) for p in paths))
    return results


if __name__ == "__main__":
    main()

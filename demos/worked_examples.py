"""Lesson 1: two single neurons worked by hand, then by the engine, every gradient explained.

Example 1 is the one often quoted as "output = (5 * 0.7) + (2 * 0.3) + 1 = 4.9". The
arithmetic gives 5.1; this lesson shows 5.1, says how far off the quoted figure is, and uses
the gradients to find, for each of the five numbers, the one value that would make it 4.9.

Example 2: inputs [0.5, 0.3], weights [0.8, 0.6], bias 0.2 (weighted sum 0.58, output 0.78).

For each neuron it writes under out/: the computation graph with every data and grad
(`<name>_graph.svg`), the network diagram (`<name>_network.svg`) and a page that steps
through the forward and backward pass (`<name>_steps.html`), and a live page where every
number can be edited (`<name>_play.html`; example 1's sets the quoted 4.9 as its goal: change
one number to get it).

Run: python -m demos.worked_examples   (or `make demo`). No randomness is involved.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from demos.common import lesson_parser, record_picture
from weightgrad.engine import Value, draw_graph, explain, playground, save_svg
from weightgrad.engine.names import fmt  # numbers printed as the graph and explain print them
from weightgrad.nn import Neuron, Parameter, draw_network

LESSON = "Worked examples"
QUOTED = 4.9  # the figure the first example is usually quoted with
STEP = 0.01  # the nudge used to say what a gradient means


@dataclass
class WorkedNeuron:
    """One neuron written out in Values: output = x1*w1 + x2*w2 + b, each node labelled.
    (weightgrad.nn.Neuron is the trainable one; the pictures draw it with these numbers.)"""

    inputs: list[Value]
    weights: list[Value]
    bias: Value
    output: Value

    @property
    def leaves(self) -> list[Value]:
        return [v for pair in zip(self.inputs, self.weights) for v in pair] + [self.bias]


def build_neuron(xs: list[float], ws: list[float], b: float) -> WorkedNeuron:
    inputs = [Value(x, f"x{i + 1}") for i, x in enumerate(xs)]
    weights = [Parameter(w, f"w{i + 1}") for i, w in enumerate(ws)]  # drawn yellow
    bias = Parameter(b, "b")
    total: Value | None = None
    for i, (x, w) in enumerate(zip(inputs, weights), 1):
        product = x * w
        product.label = f"p{i}"  # p1 = x1 * w1: short names keep the chain rule readable
        total = product if total is None else total + product
        if total is not product:
            total.label = "s"
    output = total + bias
    output.label = "out"
    return WorkedNeuron(inputs, weights, bias, output)


def forward_lines(root: Value) -> list[str]:
    """One line per computed node, in the order the forward pass computes them."""
    return [f"  {step.text}" for step in explain(root).steps if step.kind == "forward"]


def write_pictures(neuron: WorkedNeuron, name: str, title: str, out: Path,
                   challenge: float | None = None) -> list[Path]:
    """Graph, network diagram, step-through page and live page for one worked neuron; the
    live page sets `challenge` as the output's goal."""
    if challenge is None:
        task = ("edit a weight and watch every value and gradient move; press Step a few "
                "times to do gradient descent by hand, or take the quiz")
    else:
        task = (f"change one number to get the quoted answer {challenge:g}, then take the "
                "quiz on the gradients")
    graph = save_svg(draw_graph(neuron.output), out / f"{name}_graph.svg")
    record_picture(out, graph, f"{title}: the computation graph, every data and grad",
                   LESSON)
    model = Neuron(len(neuron.inputs), "linear", random.Random(0))
    for p, v in zip([*model.w, model.b], [*neuron.weights, neuron.bias]):
        p.data = v.data
    model([x.data for x in neuron.inputs]).backward()  # so each edge shows its gradient
    network = save_svg(draw_network(model, input_names=[x.label for x in neuron.inputs]),
                       out / f"{name}_network.svg")
    record_picture(out, network, f"{title}: the neuron as a network diagram", LESSON)
    page = explain(neuron.output).save_html(out / f"{name}_steps.html", f"{title}, step by step")
    record_picture(out, page, f"{title}: step through forward and backward (HTML)", LESSON)
    live = playground(neuron.output, params=[*neuron.weights, neuron.bias],
                      target=challenge).save_html(out / f"{name}_play.html", task)
    record_picture(out, live, f"{title}, live: {task}", LESSON)
    return [graph, network, page, live]


def gradient_lines(neuron: WorkedNeuron) -> list[str]:
    lines = []
    for v in neuron.leaves:
        change = "raises" if v.grad >= 0 else "lowers"
        lines.append(f"  d out/d {v.label:<3} = {fmt(v.grad):>4}   raising {v.label} by {STEP} "
                     f"{change} the output by about {fmt(abs(v.grad) * STEP)}")
    return lines


def recompute(neuron: WorkedNeuron, name: str, new: float) -> float:
    """The output with one leaf replaced, built afresh by the engine."""
    values = {v.label: v.data for v in neuron.leaves}
    values[name] = new
    n = len(neuron.inputs)
    xs = [values[f"x{i + 1}"] for i in range(n)]
    ws = [values[f"w{i + 1}"] for i in range(n)]
    return build_neuron(xs, ws, values["b"]).output.data


def example_one() -> WorkedNeuron:
    print(f"Example 1: the neuron (5 * 0.7) + (2 * 0.3) + 1, often quoted with the result {QUOTED}")
    neuron = build_neuron([5.0, 2.0], [0.7, 0.3], 1.0)
    print("\n".join(forward_lines(neuron.output)))
    out = neuron.output.data
    assert abs(out - 5.1) < 1e-12, out
    print(f"  The engine computes {fmt(out)}: 3.5 + 0.6 + 1 = 5.1.")
    gap = out - QUOTED
    print(f"  The quoted result is off by {fmt(gap)}: it is {fmt(gap)} lower than the arithmetic "
          "gives, so one of the five numbers would have to be different to produce it.")
    neuron.output.backward()
    print("Backward pass, one chain-rule step at a time:")
    print("\n".join(f"  {s.text}" for s in explain(neuron.output).steps if s.kind == "backward"))
    print("Gradients (what a small change of each number does to the output):")
    print("\n".join(gradient_lines(neuron)))
    print(f"Which single change would make the output {QUOTED}? The output is linear in each "
          f"number, so each needs to move by -{fmt(gap)} / its gradient:")
    for v in neuron.leaves:
        needed = v.data - gap / v.grad
        check = recompute(neuron, v.label, needed)
        assert abs(check - QUOTED) < 1e-9, (v.label, check)
        print(f"  {v.label:<3} {fmt(v.data):>4} -> {fmt(needed)}   (recomputed by the engine: "
              f"{fmt(check)})")
    return neuron


def example_two() -> WorkedNeuron:
    print("Example 2: inputs [0.5, 0.3], weights [0.8, 0.6], bias 0.2")
    neuron = build_neuron([0.5, 0.3], [0.8, 0.6], 0.2)
    print("\n".join(forward_lines(neuron.output)))
    weighted = neuron.output.parents[0].data
    assert abs(weighted - 0.58) < 1e-12 and abs(neuron.output.data - 0.78) < 1e-12
    print(f"  weighted sum {fmt(weighted)}, plus bias {fmt(neuron.output.data)}")
    neuron.output.backward()
    print("Gradients: d out/d x_i = w_i, d out/d w_i = x_i, d out/d b = 1")
    print("\n".join(gradient_lines(neuron)))
    grads = [v.grad for v in neuron.leaves]
    assert all(abs(g - e) < 1e-12 for g, e in zip(grads, [0.8, 0.5, 0.6, 0.3, 1.0])), grads
    return neuron


def main(argv: list[str] | None = None) -> None:
    args = lesson_parser("Two neurons worked by hand and by the engine").parse_args(argv)
    one = example_one()
    print()
    two = example_two()
    paths = write_pictures(one, "example1", "(5 * 0.7) + (2 * 0.3) + 1", args.out, QUOTED)
    paths += write_pictures(two, "example2", "[0.5, 0.3] · [0.8, 0.6] + 0.2", args.out)
    print("\nwrote " + ", ".join(str(p) for p in paths))


if __name__ == "__main__":
    main()

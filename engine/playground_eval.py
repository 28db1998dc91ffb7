"""The evaluator every live page shares: IEEE helpers that behave as `engine.floats`, the op
table generated from the op catalogue (`Op.js`), and `wgGraph(json)`, which recomputes one
graph's values and gradients exactly as `backward()` does: forward in topological order, then
every node's gradient passed to its parents in reverse order, each parent in
`accumulation_order`, each contribution the op's `chain` (g · d, or (g / divisor) · numerator
for a quotient). So + - * /, neg and relu give the same bits as Python; exp, log, pow, tanh
go through the browser's libm.

The playground page (`engine.playground_page`) uses one graph; nn's network page uses two
(the loss over the data set, and the model at one point for the heat map).
"""

from __future__ import annotations

from collections.abc import Sequence

from .op import Op, js_number

_HELPERS = """
// IEEE helpers with Python's (C's) edge cases: pow(1, nan) is 1, pow(-1, inf) is 1.
function pow(a, b) {
  if (a === 1 || b === 0) { return 1; }
  if (a === -1 && (b === Infinity || b === -Infinity)) { return 1; }
  return Math.pow(a, b);
}
function log(x) { return Math.log(x); }
function exp(x) { return Math.exp(x); }
function sigmoid(x) {
  if (x >= 0) { return 1 / (1 + Math.exp(-x)); }
  var e = Math.exp(x); return e / (1 + e);
}
function powBaseGrad(a, b) { return b === 0 ? 0 : b * pow(a, b - 1); }
function powExponentGrad(out, a, b) { return a === 0 && b >= 0 ? 0 : out * log(a); }
// Python's "%.6g" (or "%.{digits}g"): how the pictures and explain print a number.
function fmt(x, digits) {
  var p = digits || 6;
  if (x !== x) { return "nan"; }
  if (x === Infinity) { return "inf"; }
  if (x === -Infinity) { return "-inf"; }
  if (x === 0) { return Object.is(x, -0) ? "-0" : "0"; }
  var parts = x.toExponential(p - 1).split("e"), e = parseInt(parts[1], 10);
  function strip(t) { return t.indexOf(".") < 0 ? t : t.replace(/0+$/, "").replace(/\\.$/, ""); }
  if (e < -4 || e >= p) {
    var a = Math.abs(e);
    return strip(parts[0]) + "e" + (e < 0 ? "-" : "+") + (a < 10 ? "0" : "") + a;
  }
  return strip(x.toFixed(p - 1 - e));
}
"""

_EVALUATOR = """
function wgNum(x) {  // the page's JSON writes inf, -inf and nan as strings
  return x === "inf" ? Infinity : x === "-inf" ? -Infinity : x === "nan" ? NaN : x;
}

// One graph of the page: its values and gradients, computed with backward()'s arithmetic
// and order. `graph` is engine.playground's JSON; its op indices point into OPS.
function wgGraph(graph) {
  var nodes = graph.nodes, n = nodes.length;
  var data = new Float64Array(n), grad = new Float64Array(n), initial = new Float64Array(n);
  var index = Object.create(null), ops = [];
  nodes.forEach(function (node, i) {
    data[i] = initial[i] = wgNum(node.data);
    index[node.name] = i;
    ops.push(node.op < 0 ? null : OPS[node.op]);
  });

  function forward() {
    for (var i = 0; i < n; i++) {
      var op = ops[i], p = nodes[i].parents;
      if (op === null) { continue; }
      if (op.name === "wsum") {  // b + w1·x1 + w2·x2 + ..., in that order
        var m = (p.length - 1) / 2, total = data[p[2 * m]];
        for (var k = 0; k < m; k++) { total += data[p[k]] * data[p[m + k]]; }
        data[i] = total;
      } else if (op.name === "wsumc") {  // b + w1·c1 + w2·c2 + ..., numbers c in the op
        var last = p.length - 1, sum = data[p[last]];
        for (var j = 0; j < last; j++) { sum += data[p[j]] * op.c[j]; }
        data[i] = sum;
      } else {
        data[i] = p.length === 1 ? op.f(data[p[0]]) : op.f(data[p[0]], data[p[1]]);
      }
    }
  }

  function gains(i, g) {  // what each parent's gradient gains from node i's: the op's chain
    var op = ops[i], p = nodes[i].parents, out = [];
    if (op.name === "wsum") {
      var m = (p.length - 1) / 2;
      for (var k = 0; k < m; k++) {
        out[k] = data[p[m + k]] * g;
        out[m + k] = data[p[k]] * g;
      }
      out[2 * m] = g;
      return out;
    }
    if (op.name === "wsumc") {
      for (var j = 0; j < p.length - 1; j++) { out[j] = op.c[j] * g; }
      out[p.length - 1] = g;
      return out;
    }
    var args = [data[p[0]], p.length > 1 ? data[p[1]] : undefined];
    var d = op.d(data[i], args[0], args[1]);
    for (var j = 0; j < d.length; j++) {
      var over = op.over[j];
      out[j] = over === undefined || over === null ? d[j] * g : (g / args[over]) * d[j];
    }
    return out;
  }

  function backward() {
    grad.fill(0);
    grad[n - 1] = 1;  // the root is last in topological order
    for (var i = n - 1; i >= 0; i--) {
      if (ops[i] === null) { continue; }
      var p = nodes[i].parents, order = nodes[i].order, add = gains(i, grad[i]);
      for (var j = 0; j < order.length; j++) { grad[p[order[j]]] += add[order[j]]; }
    }
  }

  var uses = null;  // per node: [child, parent slot] in backward's order, built when asked

  function locals(c) {  // d out / d parent (numerators), as the evaluator computes them
    var p = nodes[c].parents, op = ops[c];
    if (op.name === "wsum") {
      var m = (p.length - 1) / 2, d = [];
      for (var k = 0; k < m; k++) { d[k] = data[p[m + k]]; d[m + k] = data[p[k]]; }
      d[2 * m] = 1;
      return d;
    }
    if (op.name === "wsumc") { return op.c.concat([1]); }
    return op.d(data[c], data[p[0]], p.length > 1 ? data[p[1]] : undefined);
  }

  // explain's backward lines that build node i's gradient (those from children `keep`
  // accepts, if given), with the current numbers: `w.grad += n1.grad * x = 1 * 5 = 5`.
  function stepsInto(i, keep) {
    if (uses === null) {
      uses = nodes.map(function () { return []; });
      for (var c = n - 1; c >= 0; c--) {
        nodes[c].order.forEach(function (k) { uses[nodes[c].parents[k]].push([c, k]); });
      }
    }
    var total = 0, lines = [];
    uses[i].filter(function (use) { return !keep || keep(use[0]); }).forEach(function (use, j) {
      var c = use[0], k = use[1], d = locals(c)[k], over = ops[c].over[k], g = grad[c];
      var p = nodes[c].parents, gain = gains(c, g)[k], sum;
      if (over === undefined || over === null) { sum = fmt(g) + " * " + fmt(d); }
      else {
        sum = fmt(g) + " / " + fmt(data[p[over]]);
        if (d !== 1) { sum += " * " + (d < 0 ? "(" + fmt(d) + ")" : fmt(d)); }
      }
      total = j === 0 ? gain : total + gain;
      lines.push(nodes[i].name + ".grad += " + nodes[c].name + ".grad * " +
                 nodes[c].formulas[k] + " = " + sum + " = " + fmt(gain) +
                 (j > 0 ? " (total " + fmt(total) + ")" : ""));
    });
    return lines;
  }

  return {graph: graph, nodes: nodes, n: n, data: data, grad: grad, initial: initial,
          index: index, ops: ops, forward: forward, backward: backward, gains: gains,
          stepsInto: stepsInto, children: function (i) {
            stepsInto(i);  // builds `uses`
            return uses[i].map(function (use) { return use[0]; });
          }};
}
"""


def js_ops(ops: Sequence[Op]) -> str:
    """The page's op table, from each op's catalogue entry: forward and local derivatives as
    JavaScript functions of the operands a, b and the result out."""
    entries = []
    for op in ops:
        forward, *locals_ = op.js
        over = ", ".join("null" if k is None else str(k) for k in op.over)
        constants = ", ".join(map(js_number, op.constants))  # a Σ over numbers: its numbers
        entries.append(
            f"{{name: {js_string(op.name)}, f: function (a, b) {{ return {forward}; }}, "
            f"d: function (out, a, b) {{ return [{', '.join(locals_)}]; }}, over: [{over}], "
            f"c: [{constants}]}}")
    return "[\n" + ",\n".join(entries) + "\n]"


def js_string(text: str) -> str:
    """A JavaScript string literal safe inside a <script> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped.replace("<", "\\u003c").replace(">", "\\u003e") + '"'


def evaluator_js(ops: Sequence[Op]) -> str:
    """The helpers, `OPS` for these ops (the page's JSON numbers ops by their place here) and
    `wgGraph`, as JavaScript to inline in a page's script."""
    return _HELPERS + f"var OPS = {js_ops(ops)};\n" + _EVALUATOR

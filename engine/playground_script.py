"""The playground page's JavaScript: the graph evaluator, the picture's live numbers, the leaf
controls and the `window.weightgrad` API (documented in `engine.playground_page`).

`/*HELPERS*/`, `/*OPS*/`, `/*COLOURS*/` and `/*LEARN*/` are filled in by
`playground_page.render_page`: IEEE helpers, the op table generated from the catalogue, the
palette's sign colours, and the learning tools (`engine.playground_learn`), which share this
closure.
"""

SCRIPT = """
(function () {
  "use strict";
  /*EVALUATOR*/
  var COLOURS = [/*COLOURS*/];  // positive, negative, zero, not known (hidden)
  var NUDGE = 0.01;  // the readout's "raising w by 0.01"

  var G = wgGraph(JSON.parse(document.getElementById("wg-graph").textContent));
  var graph = G.graph, nodes = G.nodes, n = G.n, data = G.data, grad = G.grad;
  var initial = G.initial, index = G.index, ops = G.ops, gains = G.gains;
  var forward = G.forward, backward = G.backward, editable = [];
  nodes.forEach(function (node, i) { if (node.editable) { editable.push(i); } });

  // -- the picture --------------------------------------------------------------------------
  var cells = [];  // per node: its <g>, data <text>, grad <text> (a constant has both too)
  Array.prototype.forEach.call(document.querySelectorAll("#picture g.node"), function (g) {
    var title = g.querySelector("title"), m = title && /^n(\\d+)$/.exec(title.textContent);
    if (!m) { return; }
    var texts = Array.prototype.slice.call(g.querySelectorAll("text"));
    var cell = {g: g, data: null, grad: null};
    texts.forEach(function (t) {
      var which = t.textContent.slice(0, 5);
      if (which !== "data " && which !== "grad ") { return; }
      // centre the number in its cell, so a longer one stays inside it
      var box = t.getBBox();
      t.setAttribute("x", String(box.x + box.width / 2));
      t.setAttribute("text-anchor", "middle");
      cell[which === "data " ? "data" : "grad"] = t;
    });
    cells[Number(m[1])] = cell;
  });
  var shownData = new Float64Array(n).fill(NaN), shownGrad = new Float64Array(n).fill(NaN);
  var hidden = new Uint8Array(n), stale = new Uint8Array(n);  // the quiz hides gradients
  function invalidate(i) { stale[i] = 1; }
  var lit = [];  // the <text>s marked as changed by the last edit

  // The text node's own characters are rewritten (not `textContent`, which replaces the node):
  // the browser then re-lays out the string alone, measurably less work per edit (make bench).
  function setText(t, text) {
    if (t.firstChild && t.firstChild.nodeType === 3) { t.firstChild.data = text; }
    else { t.textContent = text; }
  }

  function same(a, b) { return a === b || (a !== a && b !== b); }

  // Only what changed is rewritten: an edit of one input of a 2,000-node page touches a few
  // hundred numbers, and each rewrite costs the browser layout work. What changed is marked
  // with paint-only attributes (a colour, an underline), which cost no layout (make bench).
  function paint(first) {
    lit.forEach(function (t) { t.removeAttribute("text-decoration"); });
    lit = [];
    for (var i = 0; i < n; i++) {
      var c = cells[i];
      if (!c || (!stale[i] && same(data[i], shownData[i]) && same(grad[i], shownGrad[i]))) {
        continue;
      }
      if (c.data && !same(data[i], shownData[i])) {
        setText(c.data, "data " + fmt(data[i]));
        if (!first) { c.data.setAttribute("text-decoration", "underline"); lit.push(c.data); }
      }
      if (c.grad && (stale[i] || !same(grad[i], shownGrad[i]))) {
        setText(c.grad, hidden[i] ? "grad ?" : "grad " + fmt(grad[i]));
        c.grad.setAttribute("fill", hidden[i] ? COLOURS[3] : grad[i] > 0 ? COLOURS[0]
                                    : grad[i] < 0 ? COLOURS[1] : COLOURS[2]);
        if (!first && !stale[i]) {
          c.grad.setAttribute("text-decoration", "underline");
          lit.push(c.grad);
        }
      }
      stale[i] = 0;
      shownData[i] = data[i];
      shownGrad[i] = grad[i];
    }
  }

  // -- leaf controls and the readout --------------------------------------------------------
  var root = nodes[n - 1].name, selected = editable.length ? editable[0] : -1;
  var rows = document.getElementById("leaves"), readout = document.getElementById("readout");
  var controls = [];

  function centre(slider, x) {
    var span = Math.max(1, Math.abs(x));
    if (!isFinite(x)) { return; }
    slider.min = String(x - span);
    slider.max = String(x + span);
    slider.step = String(span / 500);
    slider.value = String(x);
  }

  var marked = -1;  // the leaf shown as selected
  var onRefresh = [], quizzing = false;  // the learning tools' hooks (playground_learn)

  function refresh(from, first) {
    forward();
    backward();
    paint(first);
    controls.forEach(function (c) {
      if (same(c.shown, data[c.i])) { return; }
      if (c.number !== from) { c.number.value = String(data[c.i]); }
      if (c.slider !== from) { centre(c.slider, data[c.i]); }
      c.shown = data[c.i];
    });
    if (marked !== selected) {
      controls.forEach(function (c) {
        if (c.i === marked || c.i === selected) {
          c.row.classList.toggle("selected", c.i === selected);
          if (cells[c.i]) { cells[c.i].g.classList.toggle("wg-selected", c.i === selected); }
        }
      });
      marked = selected;
    }
    onRefresh.forEach(function (f) { f(); });
    if (selected >= 0 && !quizzing) {
      var name = nodes[selected].name, slope = grad[selected];
      readout.textContent = "raising " + name + " by " + NUDGE + " changes " + root +
        " by about " + fmt(NUDGE * slope) + " (gradient " + fmt(slope) + ")";
    }
  }

  function select(i) { selected = i; refresh(null); }

  editable.forEach(function (i) {
    var node = nodes[i], row = document.createElement("div");
    row.className = "leaf";
    row.dataset.name = node.name;
    var label = document.createElement("span"), kind = document.createElement("small");
    label.className = "name";
    label.textContent = node.name;
    kind.textContent = node.kind === "parameter" ? "weight" : "input";
    label.appendChild(kind);
    var number = document.createElement("input"), slider = document.createElement("input");
    number.type = "number";
    number.step = "any";
    number.setAttribute("aria-label", node.name);
    slider.type = "range";
    slider.setAttribute("aria-label", node.name + " slider");
    row.append(label, number, slider);
    rows.appendChild(row);
    var c = {i: i, row: row, number: number, slider: slider, shown: NaN};
    controls.push(c);
    number.addEventListener("input", function () {
      var x = parseFloat(number.value);
      if (isFinite(x)) { data[i] = x; selected = i; refresh(number); }
    });
    number.addEventListener("change", function () { centre(slider, data[i]); });
    slider.addEventListener("input", function () {
      data[i] = parseFloat(slider.value); selected = i; refresh(slider);
    });
    row.addEventListener("focusin", function () { if (selected !== i) { select(i); } });
    if (cells[i]) { cells[i].g.addEventListener("click", function () { select(i); }); }
  });

  // -- the API ------------------------------------------------------------------------------
  function lookup(name) {
    if (typeof name !== "string" || !(name in index)) {
      throw new Error("no node named " + JSON.stringify(name) + " on this page");
    }
    return index[name];
  }

  var api = window.weightgrad = {
    get: function (name) { var i = lookup(name); return {data: data[i], grad: grad[i]}; },
    set: function (name, x) {
      var i = lookup(name);
      if (!nodes[i].editable) {
        throw new Error(name + " is not an editable leaf (it is " +
                        (nodes[i].kind === "constant" ? "a constant" : "computed") + ")");
      }
      if (typeof x !== "number") { throw new TypeError(name + ": a number is needed"); }
      data[i] = x;
      refresh(null);
    },
    leaves: function () { return editable.map(function (i) { return nodes[i].name; }); },
    step: function (lr) {
      if (typeof lr !== "number") { throw new TypeError("step: lr must be a number"); }
      editable.forEach(function (i) {  // nn.optim.SGD's arithmetic (weight decay 0)
        if (nodes[i].kind === "parameter") { data[i] -= lr * (grad[i] + 0 * data[i]); }
      });
      refresh(null);
    },
    reset: function () {
      editable.forEach(function (i) { data[i] = initial[i]; });
      refresh(null);
    }
  };
  /*LEARN*/
  refresh(null, true);
})();
"""

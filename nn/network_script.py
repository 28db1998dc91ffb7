"""The network page's JavaScript (documented in `nn.network_page`). `/*EVALUATOR*/`,
`/*COLOURS*/` and `/*NEAR*/` are filled in by `network_page.render_page`.
"""

SCRIPT = r"""
(function () {
  "use strict";
  /*EVALUATOR*/
  var COLOURS = [/*COLOURS*/];  // positive, negative, near zero
  var NEAR = /*NEAR*/;  // |w| under this fraction of its layer's largest is drawn as near zero
  var XLINK = "http://www.w3.org/1999/xlink";
  function byId(id) { return document.getElementById(id); }
  var D = JSON.parse(byId("wg-network").textContent);
  var L = wgGraph(D.loss), P = wgGraph(D.point);
  var LOSS = L.n - 1, SCORE = P.n - 1, X1 = P.index.x1, X2 = P.index.x2;
  var params = [];
  L.nodes.forEach(function (node, i) { if (node.kind === "parameter") { params.push(i); } });
  var frozen = new Set(D.frozen), initial = params.map(function (i) { return L.data[i]; });
  var inPoint = params.map(function (i) { return P.index[L.nodes[i].name]; });
  var history = [], steps = 0, running = false;

  function evaluate() { L.forward(); L.backward(); }

  function sgd(lr) {  // nn.optim.SGD's step (weight decay 0), then the new loss and gradients
    params.forEach(function (i) {
      if (!frozen.has(L.nodes[i].name)) { L.data[i] -= lr * (L.grad[i] + 0 * L.data[i]); }
    });
    evaluate();
    steps += 1;
    history.push(L.data[LOSS]);
    if (history.length > 400) { history.shift(); }
  }

  // -- the decision boundary ---------------------------------------------------------------
  var G = D.grid, xs = [], ys = [], values = new Float64Array(G * G);
  (function () {
    var px = D.points.map(function (p) { return p[0]; });
    var py = D.points.map(function (p) { return p[1]; });
    function span(v) {
      var lo = Math.min.apply(null, v), hi = Math.max.apply(null, v);
      var pad = (hi - lo) * 0.1 || 0.5;
      return [lo - pad, hi + pad];
    }
    var sx = span(px), sy = span(py);
    for (var c = 0; c < G; c++) {
      xs.push(sx[0] + (c + 0.5) * (sx[1] - sx[0]) / G);
      ys.push(sy[0] + (c + 0.5) * (sy[1] - sy[0]) / G);
    }
    D.bounds = [sx, sy];
  })();

  function boundary() {
    params.forEach(function (i, k) {  // the same weights in the one-point graph
      if (inPoint[k] !== undefined) { P.data[inPoint[k]] = L.data[i]; }
    });
    for (var r = 0; r < G; r++) {
      P.data[X2] = ys[r];
      for (var c = 0; c < G; c++) {
        P.data[X1] = xs[c];
        P.forward();
        values[r * G + c] = P.data[SCORE];
      }
    }
  }

  var canvas = byId("boundary"), ctx = canvas.getContext("2d");
  function rgb(hex) {
    return [1, 3, 5].map(function (k) { return parseInt(hex.slice(k, k + 2), 16); }).join(",");
  }
  var POS = rgb(COLOURS[0]), NEG = rgb(COLOURS[1]);
  function paintBoundary() {
    var cell = canvas.width / G, bx = D.bounds[0], by = D.bounds[1];
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    for (var r = 0; r < G; r++) {
      for (var c = 0; c < G; c++) {
        var s = values[r * G + c], alpha = Math.min(1, Math.abs(s)) * 0.7;
        ctx.fillStyle = "rgba(" + (s > 0 ? POS : NEG) + "," + (s === s ? alpha : 0) + ")";
        ctx.fillRect(c * cell, (G - 1 - r) * cell, cell, cell);
      }
    }
    D.points.forEach(function (p) {
      var x = (p[0] - bx[0]) / (bx[1] - bx[0]) * canvas.width;
      var y = canvas.height - (p[1] - by[0]) / (by[1] - by[0]) * canvas.height;
      ctx.beginPath();
      ctx.arc(x, y, 4, 0, 2 * Math.PI);
      ctx.fillStyle = p[2] > 0 ? COLOURS[0] : COLOURS[1];
      ctx.fill();
      ctx.strokeStyle = "#fff";
      ctx.stroke();
    });
  }

  // -- the diagram's edges: draw_network's rule, live ----------------------------------------
  var edges = [];  // per weight with an edge: {i, layer, path, link}
  params.forEach(function (i) {
    var name = L.nodes[i].name, g = byId("net-w:" + name);
    if (g && g.querySelector("path")) {
      edges.push({i: i, name: name, layer: D.layerOf[name], path: g.querySelector("path"),
                  link: g.querySelector("a")});
    }
  });
  var biasTexts = [];  // each neuron's "b 0.12" line, rewritten as its bias trains
  params.forEach(function (i) {
    var g = byId("net-b:" + L.nodes[i].name);
    if (!g) { return; }
    Array.prototype.forEach.call(g.querySelectorAll("text"), function (t) {
      if (t.textContent.slice(0, 2) === "b ") { biasTexts.push({i: i, text: t, shown: null}); }
    });
  });

  function paintEdges() {
    biasTexts.forEach(function (b) {
      var label = "b " + fmt(L.data[b.i], 3);  // draw_network's "b {:.3g}"
      if (label !== b.shown) { b.text.textContent = b.shown = label; }
    });
    var biggest = {};
    edges.forEach(function (e) {
      biggest[e.layer] = Math.max(biggest[e.layer] || 0, Math.abs(L.data[e.i]));
    });
    edges.forEach(function (e) {
      var w = L.data[e.i], top = biggest[e.layer], colour = COLOURS[2], width = "0.6";
      if (top !== 0 && !(Math.abs(w) < NEAR * top)) {
        colour = w > 0 ? COLOURS[0] : COLOURS[1];
        width = (0.6 + 4.4 * Math.abs(w) / top).toFixed(2);
      }
      e.path.setAttribute("stroke", colour);
      e.path.setAttribute("stroke-width", width);
      if (e.link) {
        e.link.setAttributeNS(XLINK, "xlink:title",
                              e.name + " = " + fmt(w) + ", grad " + fmt(L.grad[e.i]));
      }
    });
  }

  // -- the loss and the selected weight ------------------------------------------------------
  var lossLine = byId("loss-line"), lossText = byId("loss"), pick = byId("w-pick");
  var wValue = byId("w-value"), wGrad = byId("w-grad"), wPoint = byId("w-point");
  var wSteps = byId("w-steps"), selected = params.length ? params[0] : -1;
  params.forEach(function (i) {
    var option = document.createElement("option");
    option.value = option.textContent = L.nodes[i].name;
    pick.appendChild(option);
  });
  wPoint.max = String(D.points.length);

  function accuracy() {  // the share of points on their label's side (boundary() synced P)
    var right = 0;
    D.points.forEach(function (p) {
      P.data[X1] = p[0];
      P.data[X2] = p[1];
      P.forward();
      if ((P.data[SCORE] > 0) === (p[2] > 0)) { right += 1; }
    });
    return right / D.points.length;
  }

  function paintLoss() {
    lossText.textContent = "loss " + fmt(L.data[LOSS]) + ", accuracy " +
      Math.round(100 * accuracy()) + "% after " + steps + " steps";
    var finite = history.filter(function (y) { return isFinite(y); });
    var hi = finite.length ? Math.max.apply(null, finite) : 1, lo = 0, n = history.length;
    lossLine.setAttribute("points", history.map(function (y, k) {
      var x = 4 + k * 252 / Math.max(1, n - 1), v = isFinite(y) ? y : hi;
      return x.toFixed(1) + "," + (86 - (v - lo) / ((hi - lo) || 1) * 82).toFixed(1);
    }).join(" "));
  }

  function paintWeight() {
    if (selected < 0) { return; }
    var name = L.nodes[selected].name, k = Math.max(1, Math.min(D.points.length,
      parseInt(wPoint.value, 10) || 1)) - 1;
    pick.value = name;
    if (document.activeElement !== wValue) { wValue.value = String(L.data[selected]); }
    wGrad.textContent = "d loss / d " + name + " = " + fmt(L.grad[selected]);
    var into = L.stepsInto(selected, function (c) { return D.pointOf[c] === k; });
    var above = [];
    L.children(selected).filter(function (c) { return D.pointOf[c] === k; })
      .forEach(function (c) { above = above.concat(L.stepsInto(c)); });
    var where = D.points[k].slice(0, 2).map(function (x) { return fmt(x); }).join(", ");
    wSteps.textContent = "data point " + (k + 1) + " (" + where + "; label " +
      fmt(D.points[k][2]) + "):\n" + into.join("\n") +
      (above.length ? "\nwhere:\n" + above.join("\n") : "");
  }

  function paint() { boundary(); paintBoundary(); paintEdges(); paintLoss(); paintWeight(); }

  function frame() {
    if (!running) { return; }
    var lr = parseFloat(byId("lr").value), k = parseInt(byId("speed").value, 10);
    if (isFinite(lr)) { while (k-- > 0) { sgd(lr); } }
    paint();
    requestAnimationFrame(frame);
  }
  var trainButton = byId("train");
  function setRunning(on) {
    running = on;
    trainButton.textContent = on ? "Pause" : "Train";
    if (on) { requestAnimationFrame(frame); }
  }
  trainButton.addEventListener("click", function () { setRunning(!running); });
  byId("step").addEventListener("click", function () {
    var lr = parseFloat(byId("lr").value);
    if (isFinite(lr)) { sgd(lr); paint(); }
  });
  byId("reset").addEventListener("click", function () { api.reset(); });
  pick.addEventListener("change", function () { selected = L.index[pick.value]; paint(); });
  wPoint.addEventListener("input", paintWeight);
  wValue.addEventListener("input", function () {
    var x = parseFloat(wValue.value);
    if (isFinite(x)) { L.data[selected] = x; evaluate(); paint(); }
  });
  edges.forEach(function (e) {
    e.path.parentNode.parentNode.parentNode.addEventListener("click", function () {
      selected = e.i;
      paint();
    });
  });

  function lookup(name) {
    if (typeof name !== "string" || !(name in L.index)) {
      throw new Error("no node named " + JSON.stringify(name) + " in the loss graph");
    }
    return L.index[name];
  }
  var api = window.weightgrad = {
    get: function (name) { var i = lookup(name); return {data: L.data[i], grad: L.grad[i]}; },
    set: function (name, x) {
      var i = lookup(name);
      if (L.nodes[i].kind !== "parameter") { throw new Error(name + " is not a weight"); }
      if (typeof x !== "number") { throw new TypeError(name + ": a number is needed"); }
      L.data[i] = x;
      evaluate();
      paint();
    },
    weights: function () { return params.map(function (i) { return L.nodes[i].name; }); },
    step: function (lr) { api.train(1, lr); },
    train: function (n, lr) {
      if (typeof lr !== "number" || typeof n !== "number") {
        throw new TypeError("train(n, lr): numbers are needed");
      }
      for (var k = 0; k < n; k++) { sgd(lr); }
      paint();
    },
    reset: function () {
      setRunning(false);
      params.forEach(function (i, k) { L.data[i] = initial[k]; });
      history = [];
      steps = 0;
      evaluate();
      paint();
    },
    boundary: function () {
      boundary();
      return {xs: xs.slice(), ys: ys.slice(), values: Array.prototype.slice.call(values)};
    },
    steps: function () { return steps; },
    accuracy: function () { boundary(); return accuracy(); }
  };
  evaluate();
  paint();
})();
"""

"""The playground's learning tools, in JavaScript: gradient descent by hand (a learning rate,
step and reset, the root's value over the steps), a teacher's goal for the root, the leaves
back as Python assignments, and a quiz on the chain rule with the page's own numbers.

It runs inside the evaluator's closure (`engine.playground_script`), so it reads the same
`nodes`, `data`, `grad` and `api`. The quiz hides every gradient; the learner first predicts
the sign of each editable leaf's gradient, then types each gradient in the order backward()
finishes them. An answer counts as right within 1e-3 of the gradient, relative: wide enough
for any answer worked from the six digits the page shows, narrow enough to catch a wrong sign,
a missing term or a wrong factor. A wrong answer shows the chain-rule steps into that node in
the words `explain` prints, with the page's numbers.
"""

LEARN = r"""
  // -- gradient descent by hand ------------------------------------------------------------
  var ROOT = n - 1, history = [data[ROOT]];
  var lrField = document.getElementById("lr"), line = document.getElementById("curve-line");
  var curveNote = document.getElementById("curve-note");

  function drawCurve() {  // inf is drawn at the edge it points to, nan is left out
    var ys = history.filter(function (y) { return isFinite(y); });
    var lo = ys.length ? Math.min.apply(null, ys) : -1;
    var hi = ys.length ? Math.max.apply(null, ys) : 1;
    if (!(hi > lo)) { lo -= 1; hi += 1; }
    var steps = Math.max(1, history.length - 1), points = [];
    history.forEach(function (y, k) {
      if (y !== y) { return; }
      var yy = isFinite(y) ? y : (y > 0 ? hi : lo);
      var x = 4 + k * 232 / steps, h = 76 - (yy - lo) / (hi - lo) * 72;
      points.push(x.toFixed(1) + "," + h.toFixed(1));
    });
    line.setAttribute("points", points.join(" "));
    curveNote.textContent = root + " over " + (history.length - 1) + " steps: " +
      history.map(function (x) { return fmt(x); }).slice(-4).join(", ");
  }

  var coreStep = api.step, coreReset = api.reset;
  api.step = function (lr) { coreStep(lr); history.push(data[ROOT]); drawCurve(); };
  api.reset = function () { coreReset(); history = [data[ROOT]]; drawCurve(); };
  document.getElementById("step").addEventListener("click", function () {
    var lr = parseFloat(lrField.value);
    if (isFinite(lr)) { api.step(lr); }
  });
  document.getElementById("reset").addEventListener("click", function () { api.reset(); });

  // -- the teacher's goal --------------------------------------------------------------------
  var goal = graph.goal, goalStatus = document.getElementById("goal-status");
  if (goal) {
    onRefresh.push(function () {
      var gap = data[ROOT] - goal.target, reached = Math.abs(gap) <= goal.tol;
      goalStatus.classList.toggle("reached", reached);
      goalStatus.textContent = reached ? "Reached: " + root + " = " + fmt(data[ROOT]) :
        root + " = " + fmt(data[ROOT]) + ", " + fmt(Math.abs(gap)) + " from the goal";
    });
  }

  // -- back to Python ----------------------------------------------------------------------
  function pyNumber(x) {
    return x !== x ? 'float("nan")' : x === Infinity ? 'float("inf")'
      : x === -Infinity ? '-float("inf")' : String(x);
  }
  api.python = function () {
    return editable.map(function (i) {
      var name = nodes[i].name, value = pyNumber(data[i]);
      return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name + " = " + value
        : "# " + JSON.stringify(name) + " = " + value + "  (not a Python name)";
    }).join("\n") + "\n";
  };
  var pyText = document.getElementById("python-text");
  document.getElementById("copy-python").addEventListener("click", function () {
    pyText.value = api.python();
    pyText.hidden = false;
    pyText.select();
    if (navigator.clipboard) {  // not on every page opened from disk: the text stays selected
      navigator.clipboard.writeText(pyText.value).catch(function () {});
    }
  });

  // -- the quiz ------------------------------------------------------------------------------
  function byId(id) { return document.getElementById(id); }
  var quizBox = byId("quiz"), signsBox = byId("quiz-signs"), question = byId("quiz-question");
  var answer = byId("quiz-answer"), feedback = byId("quiz-feedback");
  var scoreLine = byId("quiz-score");
  var asked = [], at = 0, signScore = 0, gradScore = 0, signCount = 0;
  function setQuizzing(on) {
    quizzing = on;
    quizBox.hidden = !on;
    controls.forEach(function (c) { c.number.disabled = c.slider.disabled = on; });
    ["step", "reset", "lr", "quiz-start"].forEach(function (id) {
      document.getElementById(id).disabled = on;
    });
    for (var i = 0; i < n; i++) { hidden[i] = on && i !== ROOT ? 1 : 0; invalidate(i); }
    readout.textContent = on ? "Quiz: the gradients are hidden." : "";
    refresh(null);
  }

  function ask() {
    if (at >= asked.length) {
      question.textContent = "Done.";
      answer.hidden = document.getElementById("quiz-check").hidden = true;
      scoreLine.textContent = "Score: " + (signScore + gradScore) + " of " +
        (signCount + asked.length) + " (signs " + signScore + " of " + signCount +
        ", gradients " + gradScore + " of " + asked.length + ")";
      document.getElementById("quiz-stop").focus();
      return;
    }
    question.textContent = "What is " + nodes[asked[at]].name + ".grad?";
    answer.value = "";
    answer.focus();
  }

  function check() {
    var i = asked[at], a = parseFloat(answer.value), t = grad[i];
    if (answer.value.trim() === "") { return; }
    var right = a === t || Math.abs(a - t) <= 1e-3 * Math.abs(t);
    if (right) { gradScore += 1; }
    feedback.className = right ? "right" : "wrong";
    feedback.textContent = (right ? "Right: " : "Not quite: ") + nodes[i].name + ".grad = " +
      fmt(t) + (right ? "" : "\n" + G.stepsInto(i).join("\n"));
    hidden[i] = 0;
    invalidate(i);
    refresh(null);
    at += 1;
    ask();
  }

  document.getElementById("quiz-start").addEventListener("click", function () {
    setQuizzing(true);
    signsBox.textContent = "";
    editable.forEach(function (i) {
      var row = document.createElement("label"), pick = document.createElement("select");
      row.className = "sign";
      row.append(nodes[i].name + ".grad is ");
      ["?", "negative", "zero", "positive"].forEach(function (word) {
        var option = document.createElement("option");
        option.value = option.textContent = word;
        pick.appendChild(option);
      });
      pick.dataset.node = String(i);
      row.appendChild(pick);
      signsBox.appendChild(row);
    });
    document.getElementById("quiz-signs-check").hidden = false;
    question.textContent = "First: predict the sign of each gradient, then check.";
    answer.hidden = document.getElementById("quiz-check").hidden = true;
    feedback.textContent = scoreLine.textContent = "";
    signScore = gradScore = at = 0;
    var first = signsBox.querySelector("select");
    if (first) { first.focus(); }
  });

  document.getElementById("quiz-signs-check").addEventListener("click", function () {
    var picks = signsBox.querySelectorAll("select");
    signCount = picks.length;
    Array.prototype.forEach.call(picks, function (pick) {
      var g = grad[Number(pick.dataset.node)];
      var truth = g > 0 ? "positive" : g < 0 ? "negative" : "zero";
      var right = pick.value === truth;
      if (right) { signScore += 1; }
      pick.disabled = true;
      pick.parentNode.append(right ? " ✓" : " ✗ (" + truth + ")");
      pick.parentNode.className = "sign " + (right ? "right" : "wrong");
    });
    this.hidden = true;
    asked = [];
    for (var i = n - 1; i >= 0; i--) {  // backward's order; the root's is given (1)
      if (i !== ROOT && nodes[i].kind !== "constant") { asked.push(i); }
    }
    at = 0;
    answer.hidden = document.getElementById("quiz-check").hidden = false;
    ask();
  });
  document.getElementById("quiz-check").addEventListener("click", check);
  answer.addEventListener("keydown", function (e) {
    // preventDefault: this Enter must not also press the button that check() focuses next
    if (e.key === "Enter") { e.preventDefault(); check(); }
  });
  document.getElementById("quiz-stop").addEventListener("click", function () {
    setQuizzing(false);
    document.getElementById("quiz-start").focus();
  });
  drawCurve();
"""

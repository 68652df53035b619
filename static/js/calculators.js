/* Calculators and assessments: slider read-outs, assessment progress, and the
   moments the tracker reports (calculator used and completed, assessment
   submitted), announced as DOM events so this file knows nothing of tracking. */
(function (d, w) {
  function announce(type, id, data) {
    d.dispatchEvent(new CustomEvent(type, { detail: { id: id, data: data || {} } }));
  }

  // A calculator result computed from the visitor's own inputs.
  function completed(root) {
    var outcome = root.querySelector("[data-calculator-report]");
    if (!outcome) return;
    announce("track:complete", "calculator", JSON.parse(outcome.dataset.calculatorReport));
  }

  var form = d.querySelector(".calc-form"), used = 0;
  if (form) {
    form.addEventListener("input", function (e) {
      var out = e.target.parentNode.querySelector("[data-slider-output]");
      if (out) out.value = e.target.value;
      if (!used) {
        used = 1;
        announce("track:used", "calculator");
      }
    });
    // Only results the visitor asked for count: not a shared or reloaded link.
    d.body.addEventListener("htmx:afterSwap", function (e) {
      if (used && e.detail.target.id == "calc-results") completed(e.detail.target);
    });
  }

  // All questions on one page: count the answered ones as the visitor goes.
  function count() {
    var progress = d.querySelector("[data-assessment-progress]"), done = 0;
    if (!progress) return;
    d.querySelectorAll(".assessment__question").forEach(function (q) {
      if (q.querySelector("input:checked")) done++;
    });
    progress.textContent = "Answered " + done + " of " + progress.dataset.total;
    d.querySelector("[data-assessment-bar]").value = done;
  }
  d.addEventListener("change", count);
  d.addEventListener("htmx:afterSettle", count);
  count();

  // A freshly submitted assessment: report it once, then drop the marker so a
  // reload or a later visit to the same link is not a second submission.
  var result = d.querySelector("[data-assessment-fresh]");
  if (result) {
    announce("track:complete", "assessment", JSON.parse(result.dataset.assessmentReport));
    var address = new URL(w.location.href);
    address.searchParams.delete("new");
    w.history.replaceState(null, "", address);
  }
})(document, window);

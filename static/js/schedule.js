// Schedule generation progress: poll the run's state and reload the page when it ends.
// Without JavaScript the page still works: it shows the state and a reload link.
(function () {
  "use strict";
  var box = document.getElementById("run-status");
  if (!box || box.getAttribute("data-active") !== "1") { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("[data-run-progress]");
  var stage = box.querySelector("[data-run-stage]");
  var label = box.querySelector("[data-run-label]");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (run) {
        if (!run) { window.setTimeout(poll, 5000); return; }
        if (!run.active) { window.location.reload(); return; }
        if (bar) { bar.value = run.progress; bar.textContent = Math.round(run.progress * 100) + " %"; }
        if (stage) { stage.textContent = run.stage_label; }
        if (label) { label.textContent = run.status_label; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 700);
})();

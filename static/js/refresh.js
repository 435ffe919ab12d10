// Figures computed in the background: reload the page after the seconds given in data-refresh-after.
(function () {
  "use strict";
  var box = document.querySelector("[data-refresh-after]");
  if (!box) { return; }
  var seconds = parseFloat(box.getAttribute("data-refresh-after")) || 5;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();

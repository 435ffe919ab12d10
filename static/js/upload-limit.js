/* Uploads: a file larger than the limit is refused before the form is sent, so nothing else
 * typed into the form is lost. Each file input carries its limit (data-max-bytes) and the
 * message to show (data-too-large), the same sentence the server would answer with. */
(function () {
  "use strict";

  function tooLarge(input) {
    var max = Number(input.dataset.maxBytes);
    return Array.prototype.some.call(input.files || [], function (file) { return file.size > max; });
  }

  function showMessage(input, show) {
    var note = input.parentNode.querySelector("p.upload-too-large");
    if (show && !note) {
      note = document.createElement("p");
      note.className = "error upload-too-large";
      note.setAttribute("role", "alert");
      note.textContent = input.dataset.tooLarge;
      input.insertAdjacentElement("afterend", note);
    } else if (!show && note) {
      note.remove();
    }
    input.setAttribute("aria-invalid", show ? "true" : "false");
  }

  function check(input) {
    var bad = tooLarge(input);
    showMessage(input, bad);
    return !bad;
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file][data-max-bytes]")) { check(event.target); }
  });

  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll("input[type=file][data-max-bytes]");
    Array.prototype.forEach.call(inputs, function (input) {
      if (!check(input)) {
        event.preventDefault();
        input.focus();
      }
    });
  }, true);
}());

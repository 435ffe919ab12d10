/* The check-in desk.
 * - Camera: frames of the device camera are decoded with ZXing (static/vendor/zxing, fetched
 *   from the npm registry at install); a decoded badge link is put into the scan form and the
 *   form is sent, as a USB scanner would. The same code is not sent again for a while (the
 *   badge is still in front of the camera after the page comes back).
 * - Counts: the "checked in / expected" figures are fetched again every few seconds. */
(function () {
  "use strict";

  var REPEAT_MS = 30000, FRAME_MS = 250, COUNTS_MS = 5000, STORE = "checkin-camera", SCALES = [1, 0.75, 0.5];

  function remembered() {
    try { return JSON.parse(window.sessionStorage.getItem(STORE) || "{}"); } catch (e) { return {}; }
  }

  function remember(state) {
    try { window.sessionStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }

  function setupCamera() {
    var start = document.getElementById("camera-start"), stop = document.getElementById("camera-stop");
    var video = document.getElementById("camera-video"), form = document.getElementById("scan-form");
    if (!start || !video || !form) { return; }
    var box = start.parentNode, status = box.querySelector(".camera-status");
    var canvas = document.createElement("canvas"), stream = null, timer = null, frames = 0;
    var reader = window.ZXing ? new window.ZXing.QRCodeReader() : null;

    function say(text) { status.textContent = text; }

    function decode() {
      if (!video.videoWidth) { return null; }
      // ZXing's detector misjudges the module size of some codes at some sizes; each frame is read
      // at the next of a few scales, so a badge held still is read within a second.
      var scale = SCALES[frames++ % SCALES.length];
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      canvas.getContext("2d", { willReadFrequently: true }).drawImage(video, 0, 0, canvas.width, canvas.height);
      try {
        var source = new window.ZXing.HTMLCanvasElementLuminanceSource(canvas);
        return reader.decode(new window.ZXing.BinaryBitmap(new window.ZXing.HybridBinarizer(source))).getText();
      } catch (e) {
        return null;  // no QR code in this frame
      }
    }

    function tick() {
      var text = decode(), last = remembered();
      if (!text || (text === last.code && Date.now() - last.at < REPEAT_MS)) { return; }
      remember({ on: true, code: text, at: Date.now() });
      window.clearInterval(timer);
      form.elements.code.value = text;
      form.requestSubmit();
    }

    function turnOff() {
      window.clearInterval(timer);
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      stream = null;
      video.hidden = true; stop.hidden = true; start.hidden = false;
      say("");
      remember({ on: false });
    }

    function turnOn() {
      if (!reader || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        say(box.dataset.unavailable);
        return;
      }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false; stop.hidden = false; start.hidden = true;
        say(box.dataset.started);
        remember(Object.assign(remembered(), { on: true }));
        return video.play();
      }).then(function () {
        timer = window.setInterval(tick, FRAME_MS);
      }).catch(function () {
        say(box.dataset.unavailable);
      });
    }

    start.addEventListener("click", turnOn);
    stop.addEventListener("click", turnOff);
    if (remembered().on) { turnOn(); }  // the page came back after a scan: keep scanning
  }

  function setupCounts() {
    var panel = document.querySelector("[data-counts-url]");
    if (!panel || !window.fetch) { return; }
    function refresh() {
      window.fetch(panel.dataset.countsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          ["people", "companies"].forEach(function (kind) {
            var cell = panel.querySelector('[data-count="' + kind + '"]');
            var text = data[kind].checked_in + " / " + data[kind].expected;
            if (cell && cell.textContent !== text) { cell.textContent = text; }
          });
        })
        .catch(function () { /* the venue Wi-Fi dropped: try again at the next tick */ });
    }
    window.setInterval(refresh, COUNTS_MS);
  }

  setupCamera();
  setupCounts();
}());

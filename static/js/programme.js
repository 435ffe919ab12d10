/* Programme pages: bookmarks of visitors without an account, kept in localStorage.
 * Buttons marked data-seminar toggle a seminar id; links marked data-local-agenda point to
 * "My agenda" with the ids (?ids=1,2,3), where the server lists them and offers the .ics file.
 * Signed-in visitors use plain forms instead (their bookmarks live in the database). */
(function () {
  "use strict";
  var KEY = "matchmaker.programme.bookmarks";

  function load() {
    try {
      var ids = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(ids) ? ids.filter(function (id) { return Number.isInteger(id) && id > 0; }) : [];
    } catch (error) {
      return [];
    }
  }

  function save(ids) {
    try { window.localStorage.setItem(KEY, JSON.stringify(ids)); } catch (error) { /* storage full or disabled */ }
  }

  function agendaUrl(base, ids) {
    return ids.length ? base + "?ids=" + ids.join(",") : base;
  }

  function render() {
    var ids = load();
    document.querySelectorAll("button.bookmark[data-seminar]").forEach(function (button) {
      var on = ids.indexOf(Number(button.dataset.seminar)) >= 0;
      button.hidden = false;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.classList.toggle("on", on);
      button.textContent = on ? button.dataset.on : button.dataset.off;
    });
    document.querySelectorAll("a[data-local-agenda]").forEach(function (link) {
      link.href = agendaUrl(link.dataset.base, ids);
    });
    return ids;
  }

  function toggle(event) {
    var button = event.target.closest("button.bookmark[data-seminar]");
    if (!button) { return; }
    var id = Number(button.dataset.seminar);
    var ids = load();
    var at = ids.indexOf(id);
    if (at < 0 && !confirmOverlaps(button, ids)) { return; }
    if (at >= 0) { ids.splice(at, 1); } else { ids.push(id); }
    save(ids);
    showLocalAgenda(render());
  }

  /* Before a bookmark at the time of another bookmarked seminar of this page, ask (naming it). */
  function confirmOverlaps(button, ids) {
    var start = Number(button.dataset.start), end = Number(button.dataset.end), seen = {}, clashes = [];
    document.querySelectorAll("button.bookmark[data-seminar]").forEach(function (other) {
      var otherId = Number(other.dataset.seminar);
      if (otherId === Number(button.dataset.seminar) || seen[otherId] || ids.indexOf(otherId) < 0) { return; }
      seen[otherId] = true;
      if (start < Number(other.dataset.end) && Number(other.dataset.start) < end) { clashes.push(other.dataset.clash); }
    });
    return !clashes.length || window.confirm(clashes.join("\n") + "\n\n" + button.dataset.ask);
  }

  function showLocalAgenda(ids) {
    var note = document.querySelector("[data-local-mine]");
    if (!note) { return; }
    var wanted = ids.slice().sort(function (a, b) { return a - b; }).join(",");
    var shown = (note.dataset.ids || "").split(",").filter(Boolean).map(Number).sort(function (a, b) { return a - b; }).join(",");
    if (wanted !== shown) {
      window.location.replace(agendaUrl(note.dataset.base, ids));
    }
  }

  function offerImport(ids) {
    var form = document.querySelector("[data-import-bookmarks]");
    if (!form || !ids.length) { return; }
    form.querySelector("input[name=ids]").value = ids.join(",");
    form.hidden = false;
    form.addEventListener("submit", function () { save([]); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var ids = render();
    document.addEventListener("click", toggle);
    showLocalAgenda(ids);
    offerImport(ids);
  });
}());

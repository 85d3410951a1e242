// The roster keeps working when the tablet loses the network. A submit queues the marks that
// changed, each with its own UUID and the tablet's time, in localStorage; the queue goes to
// the batch API now or, offline, when the network returns (the "online" event, a retry every
// 15 s, the next page load). The server ignores a UUID it has seen, so sending twice is safe.
// Without JavaScript the form posts as a plain form.
(function () {
  "use strict";
  var form = document.querySelector("form[data-offline-roster]");
  if (!form || !window.fetch || !window.localStorage || !window.JSON) return;
  var KEY = "learnprofile.attendance.queue";
  var BATCH = 500;
  var status = document.getElementById("sync-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var sending = false;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }
  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (error) { return []; }
  }
  function save(queue) { localStorage.setItem(KEY, JSON.stringify(queue)); }
  function say(text, count) {
    status.textContent = text.replace("%(count)s", count);
    status.hidden = false;
  }
  function snapshot() {
    var marks = {};
    form.querySelectorAll("fieldset.roster-row").forEach(function (row) {
      var checked = row.querySelector("input[type=radio]:checked");
      var note = row.querySelector("input[type=text]");
      if (checked) marks[checked.dataset.enrollment] = [checked.value, note ? note.value : ""];
    });
    return marks;
  }
  // What the page showed, so that only the marks changed since are queued.
  var shown = snapshot();
  function changedMarks() {
    var now = snapshot();
    var at = new Date().toISOString();
    var marks = [];
    Object.keys(now).forEach(function (enrollment) {
      var before = shown[enrollment];
      if (before && before[0] === now[enrollment][0] && before[1] === now[enrollment][1]) return;
      marks.push({
        id: uuid(), session: form.dataset.session, enrollment: enrollment,
        status: now[enrollment][0], note: now[enrollment][1], marked_at: at
      });
    });
    shown = now;
    return marks;
  }
  function sync() {
    var queue = load();
    if (sending || !queue.length) return;
    sending = true;
    var batch = queue.slice(0, BATCH);
    fetch(form.dataset.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ marks: batch })
    }).then(function (response) {
      sending = false;
      if (!response.ok) {
        // Refused (signed out, another center's id): keep the marks, never lose them.
        say(form.dataset.textRefused, batch.length);
        return;
      }
      var sent = {};
      batch.forEach(function (mark) { sent[mark.id] = true; });
      save(load().filter(function (mark) { return !sent[mark.id]; }));
      say(form.dataset.textSynced, batch.length);
      form.dataset.synced = String(Number(form.dataset.synced || 0) + batch.length);
      sync();
    }, function () {
      sending = false;
      say(form.dataset.textQueued, load().length);
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    save(load().concat(changedMarks()));
    if (navigator.onLine === false) {
      say(form.dataset.textQueued, load().length);
      return;
    }
    sync();
  });
  window.addEventListener("online", sync);
  window.setInterval(sync, 15000);
  sync();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(form.dataset.serviceWorker, { scope: "/staff/" }).catch(function () {});
  }
})();

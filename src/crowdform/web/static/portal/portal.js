// The worker portal's task page: fetch a task, show its page in the sandboxed frame (task-frame.js),
// store the answer through the worker API, load the next task.
(function () {
  "use strict";
  const app = document.getElementById("task-app");
  if (!app) return;
  const job = app.dataset.job;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const frame = new window.CrowdformTaskFrame(document.getElementById("task-frame"), (answer) => store(answer));
  const statusLine = document.getElementById("status");
  const timer = document.getElementById("timer");
  const done = document.getElementById("done");
  const buttons = ["submit", "decline", "release"].map((id) => document.getElementById(id));
  let lease = null;
  let expiresAt = 0;
  let saving = false;

  function say(text, kind) {
    statusLine.textContent = text || "";
    statusLine.className = "status" + (kind ? " " + kind : "");
  }

  function enable(on) {
    buttons.forEach((b) => { b.disabled = !on; });
  }

  async function api(path, options) {
    const response = await fetch(path, Object.assign({
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" },
    }, options || {}));
    if (response.status === 401) {
      window.location.href = "/portal/login?next=" + encodeURIComponent(window.location.pathname);
      throw new Error("signed out");
    }
    return response;
  }

  async function problem(response) {
    try {
      const body = await response.json();
      return body.message || response.statusText;
    } catch (e) {
      return response.statusText || "the server did not answer";
    }
  }

  function setLease(id) {
    lease = id;
    app.dataset.lease = id || "";  // which task is on screen, for scripts and tests
  }

  function showNothingLeft() {
    setLease(null);
    frame.clear();
    done.hidden = false;
    enable(false);
    timer.textContent = "--:--";
    say("");
  }

  async function loadNext() {
    enable(false);
    say("Loading the next task…");
    const next = await api("/api/v1/worker/jobs/" + encodeURIComponent(job) + "/tasks/next", { method: "POST" });
    if (next.status === 204) return showNothingLeft();
    if (!next.ok) return say(await problem(next), "error");
    const task = await next.json();
    const page = await api("/api/v1/worker/tasks/" + encodeURIComponent(task.leaseId) + "/page");
    if (page.status === 409) return offerNext(await problem(page));  // set aside: this task cannot be shown
    if (!page.ok) return say(await problem(page), "error");
    setLease(task.leaseId);
    expiresAt = Date.parse(task.expiresAt);
    document.getElementById("task-title").textContent = task.taskTitle || job;
    document.getElementById("task-description").textContent = task.taskDescription || "";
    frame.show(await page.text());
    done.hidden = true;
    saving = false;
    enable(true);
    tick();
    say("");
  }

  function tick() {
    if (!lease) return;
    const left = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
    timer.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    timer.classList.toggle("low", left < 60);
    if (left === 0) expired();
  }

  function expired() {
    offerNext("The time for this task ran out, so it went back to the pool.");
  }

  // The task on screen is gone (its time ran out, or it cannot be shown): say why, offer the next one.
  function offerNext(message) {
    setLease(null);
    frame.clear();
    enable(false);
    say(message, "error");
    const again = document.createElement("button");
    again.type = "button";
    again.className = "primary";
    again.textContent = "Get the next task";
    again.addEventListener("click", () => { again.remove(); loadNext(); });
    statusLine.appendChild(document.createTextNode(" "));
    statusLine.appendChild(again);
  }

  async function store(answer) {
    if (!lease || saving) return;
    saving = true;
    enable(false);
    say("Saving…");
    const saved = await api("/api/v1/worker/tasks/" + encodeURIComponent(lease) + "/submit", {
      method: "POST", body: JSON.stringify({ answer: answer }),
    });
    if (!saved.ok) {
      const message = await problem(saved);
      saving = false;
      enable(true);
      say(message, "error");
      frame.rejected(message);
      return;
    }
    frame.saved();
    say("Saved.", "ok");
    await loadNext();
  }

  async function giveBack(kind) {
    if (!lease) return;
    enable(false);
    const response = await api("/api/v1/worker/tasks/" + encodeURIComponent(lease) + "/" + kind, { method: "POST" });
    if (!response.ok) {
      enable(true);
      return say(await problem(response), "error");
    }
    if (kind === "release") {
      window.location.href = "/portal";
    } else {
      await loadNext();
      say("Declined: that task went back to the pool for another worker of your team.", "ok");
    }
  }

  document.getElementById("submit").addEventListener("click", () => {
    if (!frame.submit()) return say("The task page has not finished loading yet.", "error");
    say("");
  });
  document.getElementById("decline").addEventListener("click", () => giveBack("decline"));
  document.getElementById("release").addEventListener("click", () => giveBack("release"));
  setInterval(tick, 1000);
  loadNext().catch((error) => say(String(error.message || error), "error"));
})();

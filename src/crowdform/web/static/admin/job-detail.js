// A job's page: confirm the stop button, filter data objects by state, and while the job runs,
// refresh its summary (status, counters, files) and append new log lines every few seconds. When the
// job stops running, reload once, so the heading, the stop button and the objects table are current.
(function () {
  "use strict";
  const REFRESH_MS = 3000;
  const $ = (id) => document.getElementById(id);
  const summary = $("job-summary");
  if (!summary) return;
  const job = summary.dataset.job;

  const stop = $("stop-form");
  if (stop) {
    stop.addEventListener("submit", (event) => {
      if (!window.confirm("Stop " + job + "? Open tasks are withdrawn; answers already given are consolidated.")) {
        event.preventDefault();
      }
    });
  }
  const filter = $("state-filter");
  if (filter) filter.addEventListener("change", () => filter.form.submit());

  function stamp(at) {
    return new Date(at * 1000).toISOString().replace(/\.\d+Z$/, "+00:00");
  }

  async function refreshLog(after) {
    const response = await fetch("/api/v1/jobs/" + encodeURIComponent(job) + "/logs?after=" + after, { credentials: "same-origin" });
    if (!response.ok) return after;
    const log = $("job-log");
    let last = after;
    (await response.json()).entries.forEach((entry) => {
      const line = document.createElement("span");
      line.className = "log-" + entry.level;
      line.textContent = stamp(entry.at) + " " + entry.source.padEnd(9) + " " + entry.level.padEnd(7) + " " + entry.message;
      log.appendChild(line);
      log.appendChild(document.createTextNode("\n"));
      last = entry.id;
    });
    return last;
  }

  // "running", "finished", or "unknown" (the refresh failed: try again later).
  async function refresh() {
    const url = new URL(window.location.href);
    url.searchParams.set("partial", "summary");
    const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
    if (!response.ok) return "unknown";
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("job-summary");
    if (fresh === null) return "unknown";
    const current = $("job-summary");
    fresh.dataset.lastLog = String(await refreshLog(Number(current.dataset.lastLog) || 0));
    current.replaceWith(fresh);
    return fresh.dataset.running === "true" ? "running" : "finished";
  }

  function schedule() {
    window.setTimeout(() => refresh().then((state) => {
      if (state === "finished") window.location.reload();
      else schedule();
    }, schedule), REFRESH_MS);
  }
  if (summary.dataset.running === "true") schedule();
})();

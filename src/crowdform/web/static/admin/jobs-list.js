// The jobs list: while a job on the page runs, fetch the table alone every few seconds and swap it in,
// so progress moves without reloading the page. Stops when nothing on the page runs any more.
(function () {
  "use strict";
  const REFRESH_MS = 3000;

  function running() {
    const table = document.getElementById("jobs-table");
    return table !== null && table.dataset.running === "true";
  }

  async function refresh() {
    const url = new URL(window.location.href);
    url.searchParams.set("partial", "table");
    const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
    if (!response.ok) return false;  // signed out (a redirect) or the server is away: stop asking
    const html = await response.text();
    const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("jobs-table");
    if (fresh === null) return false;
    document.getElementById("jobs-table").replaceWith(fresh);
    return true;
  }

  function schedule() {
    if (!running()) return;
    window.setTimeout(() => {
      refresh().then((ok) => { if (ok) schedule(); }, () => {});
    }, REFRESH_MS);
  }

  schedule();
})();

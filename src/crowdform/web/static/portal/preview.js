// `crowdform preview`: show each item in the sandboxed task frame (task-frame.js), post each answer
// to the preview server (which prints it on stdout), show it, and move on to the next item.
// The item number lives in the address (#3), so reloading after editing the template shows the same item.
(function () {
  "use strict";
  const app = document.getElementById("preview-app");
  if (!app) return;
  const count = Number(app.dataset.count);
  const $ = (id) => document.getElementById(id);
  const frameElement = $("task-frame");
  const frame = new window.CrowdformTaskFrame(frameElement, (answer) => store(answer).catch(notSaved));
  const statusLine = $("status");
  let wanted = 0;  // the item asked for last
  let shown = 0;  // the item whose page is in the frame (0: none)
  let saving = false;

  function say(text, kind) {
    statusLine.textContent = text || "";
    statusLine.className = "status" + (kind ? " " + kind : "");
  }

  async function problem(response) {
    try {
      const body = await response.json();
      return body.message || response.statusText;
    } catch (e) {
      return response.statusText || "the preview server did not answer";
    }
  }

  function requested() {
    const n = parseInt(window.location.hash.slice(1), 10);
    return n >= 1 && n <= count ? n : 1;
  }

  function go(n) {
    if (window.location.hash === "#" + n) load(n).catch(failed);
    else window.location.hash = "#" + n;  // the hashchange listener loads it
  }

  function showPage(n, html) {
    shown = n;
    saving = false;
    frame.show(html);
    $("submit").disabled = false;
  }

  function showProblem(title, text) {
    shown = 0;
    frame.clear();
    $("problem-title").textContent = title;
    $("problem-text").textContent = text;
    $("problem").hidden = false;
  }

  async function load(n) {
    wanted = n;
    $("position").textContent = "Item " + n + " of " + count;
    $("previous").disabled = n <= 1;
    $("next").disabled = n >= count;
    $("submit").disabled = true;
    const response = await fetch("/items/" + n);
    if (n !== wanted) return;  // another item was asked for meanwhile
    if (!response.ok) return say(await problem(response), "error");
    const item = await response.json();
    $("item-label").textContent = item.label;
    $("task-input-json").textContent = JSON.stringify(item.taskInput, null, 2);
    $("problem").hidden = true;
    if (item.page !== null) showPage(n, item.page);
    else if (item.error) showProblem("The template cannot be rendered for this item", item.error);
    else if (item.state === "skipped") showProblem("Workers would not get this item", item.message);
    else showProblem("The pre-annotation hook failed", item.message);
  }

  async function store(answer) {
    const n = shown;
    if (!n || saving) return;
    saving = true;
    $("submit").disabled = true;
    say("Saving…");
    const response = await fetch("/items/" + n + "/answer", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ answer: answer }),
    });
    if (!response.ok) return notSaved(await problem(response));
    const saved = await response.json();
    frame.saved();
    $("answer-title").textContent = "Answer to item " + n + " (printed on stdout)";
    $("answer-json").textContent = JSON.stringify(JSON.parse(saved.line), null, 2);
    $("answer").hidden = false;
    say("Saved item " + n + "." + (n < count ? "" : " That was the last item; it is shown again."), "ok");
    go(Math.min(n + 1, count));
  }

  function notSaved(error) {
    const message = String((error && error.message) || error);
    saving = false;
    $("submit").disabled = false;
    say(message, "error");
    frame.rejected(message);
  }

  function failed(error) {
    say(String((error && error.message) || error), "error");
  }

  $("submit").addEventListener("click", () => {
    if (!frame.submit()) return say("The task page has not finished loading yet.", "error");
    say("");
  });
  $("previous").addEventListener("click", () => { say(""); go(wanted - 1); });
  $("next").addEventListener("click", () => { say(""); go(wanted + 1); });
  window.addEventListener("hashchange", () => load(requested()).catch(failed));
  load(requested()).catch(failed);
})();

// The "Create labeling job" form: the job name checked as it is typed, the manifest and the template
// checked on request, line numbers beside the template, and the preview in the sandboxed task frame
// workers get (task-frame.js). Problems go next to their field, in the same place the server puts
// them when the form is submitted. Choosing a built-in task type hides (and disables, so they are not
// sent) the template and Lambda function fields, asks for the label attribute to review when the type
// reviews an earlier job's labels, and sets the workers per object to the type's default.
(function () {
  "use strict";
  const form = document.getElementById("job-form");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  function showErrors(name, messages) {
    const box = $(name + "-error");
    const input = $(name);
    if (!box) return;
    box.textContent = "";
    (messages || []).forEach((message, i) => {
      if (i) box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(message));
    });
    box.hidden = !(messages && messages.length);
    if (input) input.toggleAttribute("aria-invalid", !box.hidden);
  }

  function showAllErrors(byField) {
    Object.keys(byField || {}).forEach((name) => showErrors(name, byField[name]));
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = { errors: { form: ["The server did not answer (" + response.status + "). Reload the page."] } }; }
    if (!response.ok && !data.errors) data.errors = { form: [data.message || response.statusText] };
    return data;
  }

  // ------------------------------------------------------------ task type: custom template or built-in
  const taskType = $("task_type");
  const workers = $("workers_per_object");
  let workersTouched = workers.value !== "";
  workers.addEventListener("input", () => { workersTouched = workers.value !== ""; });

  function chosenType() {
    const option = taskType.selectedOptions[0];
    return {
      custom: taskType.value === "custom", review: Boolean(option.dataset.review),
      defaultWorkers: option.dataset.defaultWorkers, minLabels: Number(option.dataset.minLabels) || 0,
    };
  }

  function showPart(part, shown) {
    part.hidden = !shown;
    part.querySelectorAll("input, textarea, select, button").forEach((input) => { input.disabled = !shown; });
  }

  function applyTaskType(initial) {
    const type = chosenType();
    form.querySelectorAll("[data-custom-only]").forEach((part) => showPart(part, type.custom));
    form.querySelectorAll("[data-review-only]").forEach((part) => showPart(part, type.review));
    workers.placeholder = type.defaultWorkers;
    if (!initial && !workersTouched) workers.value = type.defaultWorkers;
    $("labels-needed").textContent = type.minLabels > 1 ? ": at least " + type.minLabels : "";
  }
  taskType.addEventListener("change", () => applyTaskType(false));
  applyTaskType(true);

  // ------------------------------------------------------------ job name, checked as it is typed
  const name = $("name");
  let nameTimer = 0;
  name.addEventListener("input", () => {
    window.clearTimeout(nameTimer);
    $("label_attribute_name").placeholder = name.value || "(the job name)";  // its default
    if (!name.value) return showErrors("name", []);
    if (name.validity.patternMismatch || name.value.length > 63) {
      showErrors("name", ["Use 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit."]);
    } else {
      showErrors("name", []);
    }
    nameTimer = window.setTimeout(async () => {
      const response = await fetch(name.dataset.checkUrl + "?value=" + encodeURIComponent(name.value), { credentials: "same-origin" });
      if (!response.ok) return;
      const data = await response.json();
      showErrors("name", (data.errors || {}).name || []);
    }, 250);
  });

  // ------------------------------------------------------------ the manifest's first lines and count
  $("check-manifest").addEventListener("click", async () => {
    $("manifest-summary").hidden = true;
    showErrors("manifest", []);
    const data = await post("/admin/jobs/new/manifest", { manifest: $("manifest").value });
    if (data.errors && Object.keys(data.errors).length) return showAllErrors(data.errors);
    $("manifest-count").textContent = data.count + (data.count === 1 ? " data object" : " data objects") + " in " + data.uri +
      (data.count > data.lines.length ? "; the first " + data.lines.length + ":" : ":");
    $("manifest-lines").textContent = data.lines.map((l) => l.lineNumber + ": " + l.text).join("\n");
    $("manifest-summary").hidden = false;
  });

  // ------------------------------------------------------------ template: line numbers, syntax check
  const template = $("template");
  const gutter = $("template-gutter");
  function numberLines(errorLine) {
    const count = template.value.split("\n").length;
    gutter.textContent = "";
    for (let i = 1; i <= count; i++) {
      const line = document.createElement("span");
      line.textContent = String(i);
      if (i === errorLine) line.className = "error-line";
      gutter.appendChild(line);
      gutter.appendChild(document.createTextNode("\n"));
    }
    gutter.scrollTop = template.scrollTop;
  }
  template.addEventListener("input", () => { $("template-ok").hidden = true; numberLines(0); });
  template.addEventListener("scroll", () => { gutter.scrollTop = template.scrollTop; });
  numberLines(Number(template.dataset.errorLine) || 0);

  function scrollToLine(line) {
    const height = template.scrollHeight / Math.max(1, template.value.split("\n").length);
    template.scrollTop = Math.max(0, (line - 3) * height);
  }

  $("check-template").addEventListener("click", async () => {
    const data = await post("/admin/jobs/new/template", { template: template.value, template_uri: $("template_uri").value });
    const messages = (data.errors || {}).template || [];
    showErrors("template", messages);
    const line = (data.lines || {}).template || 0;
    numberLines(line);
    if (line) scrollToLine(line);
    $("template-ok").hidden = messages.length > 0;
  });

  // ------------------------------------------------------------ preview in the workers' task frame
  const frameElement = $("task-frame");
  const statusLine = $("preview-status");
  const frame = new window.CrowdformTaskFrame(frameElement, (answer) => {
    $("preview-answer").textContent = JSON.stringify(answer, null, 2);
    $("preview-answer-box").hidden = false;
    frame.saved();
    say("This is the answer a worker's submission would store.", "ok");
  });

  function say(text, kind) {
    statusLine.textContent = text || "";
    statusLine.className = "status" + (kind ? " " + kind : "");
  }

  $("preview-button").addEventListener("click", async () => {
    ["template", "manifest", "pre_hook", "labels", "audit_label_attribute", "task_type"].forEach((field) => showErrors(field, []));
    $("preview-answer-box").hidden = true;
    $("preview-submit").disabled = true;
    say("Rendering the first manifest line…");
    const data = await post("/admin/jobs/new/preview", {
      manifest: $("manifest").value, template: template.value, template_uri: $("template_uri").value,
      pre_hook: $("pre_hook").value, task_type: taskType.value, labels: $("labels").value,
      labels_uri: $("labels_uri").value, audit_label_attribute: $("audit_label_attribute").value,
    });
    if (data.errors) {
      showAllErrors(data.errors);
      numberLines((data.lines || {}).template || 0);
      return say("The preview needs the problems marked above fixed.", "error");
    }
    $("preview-area").hidden = false;
    $("preview-label").textContent = data.label;
    $("preview-input").textContent = JSON.stringify(data.taskInput, null, 2);
    const output = data.hookOutput || [];
    $("preview-hook-output").textContent = output.join("\n");
    $("preview-hook-box").hidden = output.length === 0;
    if (data.page === null) {
      frameElement.classList.add("collapsed");
      frame.clear();
      return say(data.message, "error");
    }
    frame.show(data.page);
    frameElement.classList.remove("collapsed");
    $("preview-submit").disabled = false;
    say("");
  });

  $("preview-submit").addEventListener("click", () => {
    if (!frame.submit()) say("The task page has not finished loading yet.", "error");
  });
})();

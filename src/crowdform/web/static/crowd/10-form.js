/* 10-form.js: <crowd-form> (spec 4): inner <form novalidate>, automatic Submit button, validation
   (4.6), `submit` event, serialisation of the light-DOM subtree (4.5), hand-off (4.7, 4.8). */
(() => {
  "use strict";
  const C = window.CrowdCore;
  const REGION = /^(short-instructions|full-instructions)$/;
  const NOT_VALUES = /^(button|submit|reset|image)$/;

  const CSS = `.awsui-app-layout{border:none;border-radius:0;overflow:visible;background:none}
.tool-content{padding:0}
nav:not([hidden])+.awsui-app-layout__content .tool-content{padding:0 0 0 16px}
.tool-extra{padding:0}
.form-errors{border:1px solid var(--crowd-error);background:var(--crowd-error-bg);color:var(--crowd-error);border-radius:var(--crowd-radius);padding:8px 12px;margin:12px 0 0}
.form-errors p{margin:0;font-weight:600}.form-errors ul{margin:4px 0 0;padding-left:20px}
.status{margin:12px 0 0;padding:8px 12px;border-radius:var(--crowd-radius);background:var(--crowd-primary-light);border:1px solid var(--crowd-primary)}
#answers-box{white-space:pre-wrap;font:12px monospace;background:var(--crowd-panel);border:1px solid var(--crowd-line);padding:8px;margin:12px 0 0}`;

  /** Elements of `root`'s light-DOM subtree in tree order, not entering nested crowd-forms. */
  function* walk(root) {
    const tw = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT, {
      acceptNode: (n) => (n.localName === "crowd-form" ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    for (let n = tw.nextNode(); n; n = tw.nextNode()) {
      yield n;
      // A <slot> of a shadow tree holding a crowd-form (crowd-entity-annotation): its assigned nodes too.
      if (n.localName === "slot") for (const a of n.assignedElements()) if (a.localName !== "crowd-form") { yield a; yield* walk(a); }
    }
  }

  const isNative = (el) => el.localName === "input" || el.localName === "select" || el.localName === "textarea";
  const isDisabled = (el) => (isNative(el) ? el.matches(":disabled") : el.hasAttribute("disabled"));

  /** What one named control contributes (4.5): {entries} (checkables), {value}, or null. */
  function contribution(el) {
    if (el.localName === "input") {
      if (NOT_VALUES.test(el.type)) return null;
      if (el.type === "file") { console.warn(`crowd-form: file input "${el.name}" is not supported and is not submitted`); return null; }
      if (el.type === "checkbox" || el.type === "radio") return { entries: { [el.value]: el.checked } };
      return el.value === "" ? null : { value: el.value };
    }
    if (el.localName === "select") {
      if (!el.multiple) return el.value === "" ? null : { value: el.value };
      const values = [...el.selectedOptions].map((o) => o.value);
      return values.length ? { value: values } : null;
    }
    if (el.localName === "textarea") return el.value === "" ? null : { value: el.value };
    if (!("_submittableValue" in el)) return null;
    const v = el._submittableValue;
    if (v === undefined) return null;
    return el._checkable ? { entries: v } : { value: v };
  }

  function put(obj, key, value) {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  }

  /** A short name for a control in validation messages. */
  function describe(el) {
    const label = el.getAttribute("label") || el.getAttribute("header") || (el.labels && el.labels[0] || {}).textContent
      || (el.closest("label") || {}).textContent || (/^crowd-(checkbox|radio-button|toggle-button)$/.test(el.localName) && el.textContent)
      || el.getAttribute("name") || el.localName;
    return label.trim().replace(/\s+/g, " ").slice(0, 80);
  }

  class CrowdFormElement extends C.CrowdElement {
    static get shadowOptions() { return { slotAssignment: "manual" }; }

    render(root) {
      const form = (this._form = document.createElement("form"));
      form.noValidate = true;
      this.prepend(form);
      this._sweep();
      C.style(root, C.TOOL_CSS, CSS);
      const content = C.toolLayout(root, this, { header: "" });
      content.innerHTML = `<slot name="form" data-region="form"></slot>
<div class="form-errors" role="alert" hidden></div><div class="status" role="status" hidden></div><div id="answers-box" hidden></div>`;
      new MutationObserver(() => this._sweep()).observe(this, { childList: true });
      C.slotRegions(this);
      this._state = "idle";
    }

    connected(signal) {
      // Native submission of the inner form or a nested <form>: cancel it, run ours (4.4 trigger 4).
      this.addEventListener("submit", (e) => {
        if (e.target === this) return;
        e.preventDefault();
        e.stopImmediatePropagation();
        this.submit();
      }, { capture: true, signal });
      this.addEventListener("reset", (e) => {
        if (e.target !== this) queueMicrotask(() => this._resetCrowd());
      }, { capture: true, signal });
      const refresh = () => { if (!this._$(".form-errors").hidden && this._state === "idle") this._check(false); };
      this.addEventListener("input", refresh, { signal });
      this.addEventListener("change", refresh, { signal });
      if (!this._autoChecked) {
        if (document.readyState === "loading") C.onDomReady(() => this._ensureSubmitButton());
        else setTimeout(() => this._ensureSubmitButton());
      }
    }

    _$(sel) { return this.shadowRoot.querySelector(sel); }

    /** The inner <form> (scripts may append controls to it). */
    get form() { return this._form || null; }

    /** Move every child but the instructions regions into the inner form. */
    _sweep() {
      const form = this._form;
      for (const n of [...this.childNodes]) {
        if (n !== form && !(n.nodeType === 1 && REGION.test(n.localName))) form.append(n);
      }
    }

    /** Automatic Submit button (4.3): unless one exists anywhere inside, or a tool draws its own. */
    _ensureSubmitButton() {
      if (this._autoChecked || !this._form) return;
      this._autoChecked = true;
      if (this.querySelector('crowd-button[form-action="submit"]')) return;
      // A nested crowd-entity-annotation draws no Submit button of its own (Q 26).
      const tools = [...this.querySelectorAll(C.TOOL_TAGS.join(","))].filter((t) => t.localName !== "crowd-entity-annotation");
      if (tools.some((t) => customElements.get(t.localName))) return;
      const wrap = document.createElement("div");
      wrap.style.marginTop = "16px";
      wrap.innerHTML = '<crowd-button form-action="submit" variant="primary">Submit</crowd-button>';
      this._form.append(wrap);
    }

    /** The answer object (4.5): named controls of the light-DOM subtree, in tree order. */
    collectAnswer() {
      const answer = {};
      const checkable = new Set();
      for (const el of walk(this)) {
        const name = el.getAttribute("name");
        if (!name || isDisabled(el)) continue;
        const c = contribution(el);
        if (!c) continue;
        if (c.entries) {
          if (!checkable.has(name)) { put(answer, name, {}); checkable.add(name); }
          for (const [k, v] of Object.entries(c.entries)) put(answer[name], k, v);
        } else {
          put(answer, name, c.value);
          checkable.delete(name);
        }
      }
      return answer;
    }

    /** Validate every control (4.6); show messages; return the problems. */
    _check(focus) {
      const problems = [];
      const radios = new Set();
      for (const el of walk(this)) {
        if (el instanceof C.CrowdElement) {
          const message = isDisabled(el) ? null : el.validate();
          el.setError(message);
          if (message) problems.push({ el, message });
        } else if (isNative(el) && el.willValidate && !el.checkValidity()) {
          if (el.type === "radio") { if (radios.has(el.name)) continue; radios.add(el.name); }
          problems.push({ el, message: el.validationMessage, native: true });
        }
      }
      this._banner(problems.length ? "Please fix the following before submitting:" : "", problems.map((p) => `${describe(p.el)}: ${p.message}`));
      if (focus && problems.length) {
        const first = problems[0];
        for (let t = first.el.closest("crowd-tabs"); t; t = t.parentElement && t.parentElement.closest("crowd-tabs")) if (t.reveal) t.reveal(first.el);
        first.el.scrollIntoView({ block: "center" });
        if (first.native) first.el.reportValidity();
        else first.el.focus({ preventScroll: true });
      }
      return problems;
    }

    _banner(title, items) {
      const box = this._$(".form-errors");
      box.hidden = !title;
      box.innerHTML = items.length ? "<p></p><ul></ul>" : "<p></p>";
      box.firstChild.textContent = title;
      for (const item of items) box.lastChild.appendChild(document.createElement("li")).textContent = item;
    }

    /** Submission sequence (4.4): guard, validate, fire `submit`, serialise, hand off. */
    submit() {
      if (!this._rendered || this._state !== "idle") return false;
      this._sweep();
      if (this._check(true).length) { C.notifyBlocked("invalid"); return false; }
      this._state = "dispatching";
      const event = new Event("submit", { bubbles: true, cancelable: true });
      this.dispatchEvent(event);
      if (event.defaultPrevented) { this._state = "idle"; C.notifyBlocked("prevented"); return false; }
      C.handOff(this.collectAnswer(), this);
      return true;
    }

    requestSubmit() { return this.submit(); }

    /** form-action="reset": every control back to its initial state. */
    reset() {
      if (!this._form) return;
      for (const f of [this._form, ...this._form.querySelectorAll("form")]) f.reset();
      for (const el of walk(this)) {
        if (!isNative(el) || el.form) continue;
        if (el.localName === "select") for (const o of el.options) o.selected = o.defaultSelected;
        else if (el.type === "checkbox" || el.type === "radio") el.checked = el.defaultChecked;
        else el.value = el.defaultValue;
      }
      this._resetCrowd();
    }

    _resetCrowd() {
      for (const el of walk(this)) if (el instanceof C.CrowdElement) { el._reset(); el.setError(null); }
      this._banner("", []);
    }

    _handOff(state, info) {
      const status = this._$(".status");
      const box = this._$("#answers-box");
      const say = (text) => { status.hidden = !text; status.textContent = text || ""; };
      if (state === "busy") {
        this._state = "busy";
        if (C.host.framed) { this._form.inert = true; say("Submitting your answer\u2026"); }
      } else if (state === "preview") {
        this._state = "done";
        this._form.inert = false;
        say("");
        box.hidden = false;
        box.textContent = info;
      } else if (state === "saved") {
        this._state = "done";
        say("Your answer was submitted.");
      } else if (state === "rejected") {
        this._state = "idle";
        this._form.inert = false;
        say("");
        this._banner(info || "The answer was not accepted. Please try again.", []);
        this._$(".form-errors").scrollIntoView({ block: "nearest" });
      }
    }
  }

  C.define("crowd-form", CrowdFormElement);
  C.CrowdFormElement = CrowdFormElement;
})();

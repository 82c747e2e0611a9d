/* 00-core.js: window.CrowdCore, shared by every element: attribute parsing (spec 2.2), guarded
   registration, the CrowdElement base, theme, tool layout (3, 5.0), host hand-off (4.7), ready event. */
(() => {
  "use strict";
  const C = (window.CrowdCore = window.CrowdCore || {});

  /* == attribute parsing (2.2) */

  const ESCAPES = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", 0: "\0" };
  const NUMBER = /[+-]?(?:0[xX][0-9a-fA-F]+|Infinity|NaN|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/y;
  const IDENT = /[A-Za-z_$\u00aa-\uffff][\w$\u00aa-\uffff]*/y;

  /** Parse a JSON5-like literal (spec 2.2); never evaluates code; throws SyntaxError. */
  function parseAttribute(text) {
    const s = String(text);
    let i = 0;
    const fail = (what) => { throw new SyntaxError(`${what} at position ${i}`); };
    const ws = () => {
      for (;;) {
        const c = s[i];
        if (c === "/" && s[i + 1] === "/") { const e = s.indexOf("\n", i); i = e < 0 ? s.length : e; }
        else if (c === "/" && s[i + 1] === "*") { const e = s.indexOf("*/", i + 2); if (e < 0) fail("unterminated comment"); i = e + 2; }
        else if (c !== undefined && /[\s\ufeff]/.test(c)) i++;
        else return;
      }
    };
    const match = (re) => { re.lastIndex = i; const m = re.exec(s); if (m) i = re.lastIndex; return m && m[0]; };
    const string = () => {
      const q = s[i++];
      let out = "";
      for (;;) {
        const c = s[i++];
        if (c === undefined) fail("unterminated string");
        if (c === q) return out;
        if (c !== "\\") { out += c; continue; }
        const e = s[i++];
        if (e in ESCAPES && !(e === "0" && /\d/.test(s[i]))) out += ESCAPES[e];
        else if (e === "x" || e === "u") {
          let hex;
          if (e === "u" && s[i] === "{") { const end = s.indexOf("}", i); hex = s.slice(i + 1, end); i = end + 1; }
          else { hex = s.substr(i, e === "x" ? 2 : 4); i += hex.length; }
          if (!/^[0-9a-fA-F]+$/.test(hex)) fail("bad escape");
          out += String.fromCodePoint(parseInt(hex, 16));
        } else if (e === "\r") { if (s[i] === "\n") i++; }
        else if (e !== "\n" && e !== "\u2028" && e !== "\u2029") out += e;
      }
    };
    const value = () => {
      ws();
      const c = s[i];
      if (c === "{") return object();
      if (c === "[") return array();
      if (c === '"' || c === "'") return string();
      const num = match(NUMBER);
      if (num) {
        const neg = num[0] === "-", body = num.replace(/^[+-]/, "");
        const n = /^0x/i.test(body) ? parseInt(body, 16) : Number(body);
        return neg ? -n : n;
      }
      const id = match(IDENT);
      if (id === "true") return true;
      if (id === "false") return false;
      if (id === "null") return null;
      return fail(id ? `unexpected word ${id}` : c === undefined ? "unexpected end of text" : `unexpected ${JSON.stringify(c)}`);
    };
    const array = () => {
      const out = [];
      i++;
      for (;;) {
        ws();
        if (s[i] === "]") { i++; return out; }
        out.push(value());
        ws();
        if (s[i] === ",") i++;
        else if (s[i] !== "]") fail("expected , or ]");
      }
    };
    const object = () => {
      const out = {};
      i++;
      for (;;) {
        ws();
        if (s[i] === "}") { i++; return out; }
        const key = s[i] === '"' || s[i] === "'" ? string() : match(IDENT) || match(NUMBER);
        if (key == null) fail("expected a key");
        ws();
        if (s[i++] !== ":") { i--; fail("expected :"); }
        Object.defineProperty(out, key, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        if (s[i] === ",") i++;
        else if (s[i] !== "}") fail("expected , or }");
      }
    };
    const result = value();
    ws();
    if (i < s.length) fail("unexpected text after the value");
    return result;
  }

  /** A structured attribute of `el`, parsed; undefined when absent, empty or malformed (logged, Q 1). */
  function readAttribute(el, attr) {
    const text = el.getAttribute(attr);
    if (text == null || !text.trim()) return undefined;
    try {
      return parseAttribute(text);
    } catch (err) {
      console.error(`<${el.localName}> attribute "${attr}": cannot parse ${JSON.stringify(text.slice(0, 80))}: ${err.message}`);
      return undefined;
    }
  }

  /** Boolean attributes: presence means true, whatever the value (2.2, Q 3). */
  const parseBoolean = (el, attr) => el.hasAttribute(attr);

  /** Number attributes: Number(text), or the fallback for absent/empty/NaN. */
  function parseNumber(text, fallback) {
    if (text == null || !String(text).trim()) return fallback;
    const n = Number(text);
    return Number.isNaN(n) ? fallback : n;
  }

  /** Define accessors that reflect attributes: {prop: [attribute, "bool"|"string"|"number", default]}. */
  function reflect(cls, spec) {
    for (const [prop, [attr, type, def]] of Object.entries(spec)) {
      Object.defineProperty(cls.prototype, prop, {
        configurable: true,
        get() {
          if (type === "bool") return this.hasAttribute(attr);
          const v = this.getAttribute(attr);
          return type === "number" ? parseNumber(v, def) : v == null ? (def ?? "") : v;
        },
        set(v) {
          if (type === "bool") this.toggleAttribute(attr, !!v);
          else if (v == null) this.removeAttribute(attr);
          else this.setAttribute(attr, String(v));
        },
      });
    }
  }

  /* == registration (2.1) */

  function define(tag, cls) {
    if (!customElements.get(tag)) customElements.define(tag, cls);
    return customElements.get(tag);
  }

  /* == theme */

  const ROOT_CSS = `:where(:root){--crowd-font:"Amazon Ember","Helvetica Neue",Roboto,Arial,sans-serif;
--crowd-text:#16191f;--crowd-muted:#545b64;--crowd-border:#aab7b8;--crowd-line:#d5dbdb;--crowd-bg:#fff;
--crowd-panel:#fafafa;--crowd-primary:#0073bb;--crowd-primary-dark:#005a94;--crowd-primary-light:#f1faff;
--crowd-accent:#ec7211;--crowd-accent-dark:#eb5f07;--crowd-error:#d13212;--crowd-error-bg:#fdf3f1;
--crowd-success:#1d8102;--crowd-success-bg:#f2f8f0;--crowd-warning:#906806;--crowd-warning-bg:#fffce6;
--crowd-focus:#00a1c9;--crowd-radius:4px;--crowd-slider-secondary-color:#99cbe4}`;

  const BASE_CSS = `:host{font-family:var(--crowd-font);color:var(--crowd-text);box-sizing:border-box}
:host([hidden]){display:none!important}
*,*::before,*::after{box-sizing:border-box}
:focus-visible{outline:2px solid var(--crowd-focus);outline-offset:1px}
a{color:var(--crowd-primary)}
.crowd-error{color:var(--crowd-error);font-size:.875em;margin:4px 0 0}
.crowd-error:empty{display:none}
.btn{font:inherit;font-weight:600;border:1px solid var(--crowd-border);background:var(--crowd-bg);color:var(--crowd-text);
border-radius:2px;padding:5px 16px;cursor:pointer;display:inline-flex;align-items:center;gap:6px;text-decoration:none;line-height:1.4}
.btn:hover:not(:disabled){background:#f2f3f3}
.btn:disabled,.btn[aria-disabled=true]{opacity:.5;cursor:default}
.btn.primary{background:var(--crowd-accent);border-color:var(--crowd-accent);color:#fff}
.btn.primary:hover:not(:disabled){background:var(--crowd-accent-dark)}
dialog{border:none;border-radius:8px;padding:0;box-shadow:0 4px 24px rgba(0,0,0,.3);width:min(800px,92vw);max-height:86vh;color:inherit;font:inherit}
dialog::backdrop{background:rgba(22,25,31,.45)}
.modal-head{display:flex;align-items:center;gap:8px;padding:12px 16px;border-bottom:1px solid var(--crowd-line)}
.modal-head h2{flex:1;margin:0;font-size:1.125em}
.modal-close{border:none;background:none;font-size:22px;line-height:1;cursor:pointer;color:var(--crowd-muted);padding:2px 6px}
.modal-body{padding:16px;overflow:auto;max-height:calc(86vh - 60px)}`;

  const sheets = new Map();
  const constructable = (() => {
    try { return "adoptedStyleSheets" in Document.prototype && !!new CSSStyleSheet().replaceSync; } catch { return false; }
  })();

  /** Add stylesheets to a shadow root (shared constructable sheets when supported). */
  function style(root, ...cssTexts) {
    if (constructable) {
      const add = cssTexts.map((css) => {
        let sheet = sheets.get(css);
        if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(css); sheets.set(css, sheet); }
        return sheet;
      }).filter((sh) => !root.adoptedStyleSheets.includes(sh));
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, ...add];
    } else {
      for (const css of cssTexts) {
        const el = document.createElement("style");
        el.textContent = css;
        root.prepend(el);
      }
    }
  }
  style(document, ROOT_CSS);

  /** category10: label colours in overlays and legends. */
  const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

  /** Icons (our own 24x24 drawings) for the iron-icons names AWS material uses. */
  const X = '<path d="M5 5l14 14M19 5L5 19" stroke="currentColor" stroke-width="2.6"/>';
  const BANG = '<path d="M12 9v6M12 17v2" stroke="#fff" stroke-width="2.2"/>';
  const ICONS = {
    star: '<path d="M12 2l2.9 6.6 7.1.6-5.4 4.7 1.6 7.1L12 17.3 5.8 21l1.6-7.1L2 9.2l7.1-.6z"/>',
    search: '<circle cx="10" cy="10" r="6" fill="none" stroke="currentColor" stroke-width="2.4"/><path d="M14.5 14.5L21 21" stroke="currentColor" stroke-width="2.6"/>',
    close: X, clear: X,
    check: '<path d="M4 12.5l5 5L20 6.5" fill="none" stroke="currentColor" stroke-width="2.6"/>',
    add: '<path d="M12 4v16M4 12h16" stroke="currentColor" stroke-width="2.6"/>',
    info: '<circle cx="12" cy="12" r="10"/><path d="M12 10.5v7M12 6.5v1.5" stroke="#fff" stroke-width="2.4"/>',
    "report-problem": '<path d="M12 2L1 21h22z"/>' + BANG,
    error: '<circle cx="12" cy="12" r="10"/>' + BANG,
    "check-circle": '<circle cx="12" cy="12" r="10"/><path d="M7 12.5l3.5 3.5L17 9" fill="none" stroke="#fff" stroke-width="2.4"/>',
    "question-answer": '<path d="M2 3h13v9H7l-5 4zM17 7h5v13l-4-3H9v-3h8z"/>',
  };
  ICONS.warning = ICONS["report-problem"];
  function icon(name) {
    const body = ICONS[name];
    if (!body) return null;
    const span = document.createElement("span");
    span.className = "icon";
    span.setAttribute("aria-hidden", "true");
    span.innerHTML = `<svg viewBox="0 0 24 24" width="1.1em" height="1.1em" fill="currentColor" style="display:block">${body}</svg>`;
    return span;
  }

  /* == base element */

  /** Base element: the constructor does nothing; render(root) runs once on first connection (open
      shadow root); connected(signal) on every connection, its listeners removed on disconnection.
      Controls implement answer() (undefined: contributes nothing) and validate() (message or null). */
  class CrowdElement extends HTMLElement {
    static get observedAttributes() { return []; }

    connectedCallback() {
      if (!this.shadowRoot) {
        for (const p of this.constructor.upgradeProps || []) {
          if (Object.prototype.hasOwnProperty.call(this, p)) { const v = this[p]; delete this[p]; this[p] = v; }
        }
        const root = this.attachShadow({ mode: "open", ...(this.constructor.shadowOptions || {}) });
        style(root, BASE_CSS);
        this.render(root);
        this._rendered = true;
      }
      if (this._ac) this._ac.abort();
      this._ac = new AbortController();
      this.connected(this._ac.signal);
    }

    disconnectedCallback() {
      if (this._ac) this._ac.abort();
      this._ac = null;
    }

    attributeChangedCallback(name, oldValue, newValue) {
      if (this._rendered && oldValue !== newValue) this.attributeChanged(name, oldValue, newValue);
    }

    render() {}
    connected() {}
    attributeChanged() {}

    /** The value this element contributes to the answer, or undefined for nothing. */
    answer() { return undefined; }
    get value() { return this.answer(); }
    get _submittableValue() { return this.answer(); }
    /** An error message when the element blocks submission, else null. */
    validate() { return null; }
    /** Show (or clear, with null) a validation message inside the element. */
    setError(message) {
      const box = this.shadowRoot && this.shadowRoot.querySelector(".crowd-error");
      if (box) box.textContent = message || "";
      this.toggleAttribute("data-invalid", !!message);
    }
    /** Back to the initial state (crowd-button form-action="reset"). */
    _reset() {}

    get name() { return this.getAttribute("name") || ""; }
    set name(v) { this.setAttribute("name", v); }

    /** Hand-off progress for a tool submitting on its own (no crowd-form); crowd-form overrides. */
    _handOff(state, info) {
      const root = this.shadowRoot;
      const err = root && root.querySelector(".tool-error");
      const pre = root && root.querySelector(".crowd-answers");
      if (state === "preview" && pre) { pre.hidden = false; pre.textContent = info; }
      if (err) err.textContent = state === "rejected" ? info || "The answer was not accepted." : "";
      this._submitted = state === "busy" || state === "saved" || state === "preview";
    }
  }

  /* == regions and the tool layout (3, 5.0) */

  const regionHooks = new WeakMap();

  /** Assign the host's children to the slots whose data-region lists their tag ("*": the rest), by
      manual slot assignment or else by `slot` attributes. */
  function slotRegions(host) {
    const root = host.shadowRoot;
    if (!root) return;
    const slots = [...root.querySelectorAll("slot[data-region]")];
    const find = (tag) => slots.find((s) => s.dataset.region.split(/\s+/).includes(tag));
    const rest = find("*");
    const manual = root.slotAssignment === "manual";
    const groups = new Map(slots.map((s) => [s, []]));
    for (const node of host.childNodes) {
      const slot = node.nodeType === 1 ? find(node.localName) || rest : node.nodeType === 3 ? rest : null;
      if (!slot) continue;
      if (manual) groups.get(slot).push(node);
      else if (node.nodeType === 1 && slot !== rest && !node.hasAttribute("slot")) node.setAttribute("slot", slot.name);
    }
    if (manual) for (const [slot, nodes] of groups) slot.assign(...nodes);
    for (const hook of regionHooks.get(host) || []) hook();
  }

  /** Keep the host's regions assigned while its children change; `hook` runs after each pass. */
  function watchRegions(host, hook) {
    let hooks = regionHooks.get(host);
    if (!hooks) {
      regionHooks.set(host, (hooks = []));
      new MutationObserver(() => slotRegions(host)).observe(host, { childList: true });
    }
    if (hook) hooks.push(hook);
    slotRegions(host);
    queueMicrotask(() => slotRegions(host));
  }

  const TOOL_CSS = `:host{display:block}
.awsui-app-layout{display:flex;align-items:stretch;border:1px solid var(--crowd-line);border-radius:8px;background:var(--crowd-bg);overflow:hidden}
.awsui-app-layout__navigation{flex:none;width:280px;max-width:40%;padding:16px;border-right:1px solid var(--crowd-line);background:var(--crowd-panel);overflow:auto}
.awsui-app-layout__navigation[hidden]{display:none}
.instructions-head{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:4px 12px;margin-bottom:8px}
.instructions-head h2{margin:0;font-size:1.125em}
.awsui-app-layout__content{flex:1;min-width:0;display:flex;flex-direction:column}
.tool-header{font-size:1.125em;font-weight:600;padding:16px 16px 0;white-space:pre-line}
.tool-header:empty{display:none}
.tool-content{flex:1;min-height:0;padding:16px}
.tool-extra{padding:0 16px}
.tool-footer{display:flex;align-items:center;justify-content:flex-end;gap:12px;padding:12px 16px;border-top:1px solid var(--crowd-line)}
.tool-footer:not(:has(crowd-button,.tool-error:not(:empty))){display:none}
.tool-footer .tool-error{flex:1;margin:0}
.crowd-answers{white-space:pre-wrap;font-size:12px;background:var(--crowd-panel);border:1px solid var(--crowd-line);padding:8px;margin:0 16px 12px}
[hidden]{display:none!important}`;

  const TOOL_HTML = `<div class="awsui-app-layout">
<nav class="awsui-app-layout__navigation" aria-label="Instructions" hidden>
<div class="instructions-head"><h2 class="instructions-title">Instructions</h2><a href="#" class="full-instructions-link" role="button" hidden>View full instructions</a></div>
<div class="short-instructions"><slot name="short-instructions" data-region="short-instructions"></slot></div></nav>
<div class="awsui-app-layout__content"><div class="tool-header"></div><div class="tool-content"></div>
<div class="tool-extra"><slot data-region="*"></slot></div>
<pre class="crowd-answers" hidden></pre>
<div class="tool-footer"><p class="tool-error crowd-error" role="alert"></p></div></div></div>
<dialog class="awsui-modal-dialog" aria-label="Full instructions"><div class="modal-head"><h2 class="modal-title">Full instructions</h2>
<button type="button" class="modal-close" aria-label="Close">\u00d7</button></div>
<div class="modal-body"><slot name="full-instructions" data-region="full-instructions"></slot></div></dialog>`;

  /** Full-page tool layout (5.0): instructions pane (short-instructions, link to the full-instructions
      dialog), header, footer; returns the content area. opts: header, submit (footer Submit button). */
  function toolLayout(root, host, opts = {}) {
    style(root, TOOL_CSS);
    const tpl = document.createElement("template");
    tpl.innerHTML = TOOL_HTML;
    root.append(tpl.content);
    const $ = (sel) => root.querySelector(sel);
    const nav = $(".awsui-app-layout__navigation"), link = $(".full-instructions-link"), dialog = $(".awsui-modal-dialog");
    const header = $(".tool-header");
    header.textContent = opts.header == null ? host.getAttribute("header") || "" : opts.header;
    new MutationObserver(() => { header.textContent = host.getAttribute("header") || ""; })
      .observe(host, { attributes: true, attributeFilter: ["header"] });
    if (opts.submit) {
      // In AWS's wrapper, which templates hook (docs/elements-compatibility.md); it submits where the click
      // bubbles to the footer, so a capture-phase listener on the wrapper can cancel that.
      const footer = $(".tool-footer");
      footer.insertAdjacentHTML("beforeend", '<awsui-button data-testid="crowd-submit"><crowd-button class="tool-submit" variant="primary">Submit</crowd-button></awsui-button>');
      footer.addEventListener("click", (e) => { if (!e.defaultPrevented && e.target.closest("awsui-button")) submitEnclosingForm(host); });
    }
    link.addEventListener("click", (e) => { e.preventDefault(); if (!dialog.open) dialog.showModal(); });
    $(".modal-close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); });
    watchRegions(host, () => {
      const short = host.querySelector(":scope > short-instructions");
      const full = host.querySelector(":scope > full-instructions");
      nav.hidden = !short && !full;
      link.hidden = !full;
      $(".instructions-title").textContent = (short && short.getAttribute("header")) || "Instructions";
      $(".modal-title").textContent = (full && full.getAttribute("header")) || "Full instructions";
    });
    return $(".tool-content");
  }

  /* == forms and hand-off (4.4, 4.7, 4.8) */

  /** Tags of tool elements that draw their own Submit button (no automatic one is added, Q 4). */
  const TOOL_TAGS = ["crowd-bounding-box", "crowd-classifier", "crowd-classifier-multi-select",
    "crowd-entity-annotation", "crowd-image-classifier", "crowd-image-classifier-multi-select",
    "crowd-instance-segmentation", "crowd-keypoint", "crowd-line", "crowd-polygon", "crowd-polyline",
    "crowd-semantic-segmentation", "crowd-textract-analyze-document", "crowd-rekognition-detect-moderation-labels"];

  /** The crowd-form around `el`, looking through shadow roots. */
  function enclosingForm(el) {
    for (let node = el; node; ) {
      const form = node.closest && node.closest("crowd-form");
      if (form) return form;
      const root = node.getRootNode();
      node = root && root.host;
    }
    return null;
  }

  /** A tool's Submit button: submit the enclosing crowd-form, or, outside any, {name: value} itself. */
  function submitEnclosingForm(el) {
    const form = enclosingForm(el) || (el.shadowRoot && el.shadowRoot.querySelector("crowd-form"));
    if (form) return form.submit();
    if (el._submitted) return false;
    const message = el.validate ? el.validate() : null;
    if (el.setError) el.setError(message);
    if (message) { notifyBlocked("invalid"); return false; }
    const answer = {};
    const value = el._submittableValue;
    if (el.getAttribute("name") && value !== undefined) answer[el.getAttribute("name")] = value;
    handOff(answer, el);
    return true;
  }

  const host = { mode: "preview", framed: window.parent !== window, pending: null, decided: null, waiters: [] };

  function decideHost(mode) {
    host.mode = mode;
    host.decided = true;
    for (const w of host.waiters.splice(0)) w(mode);
  }

  /** Deliver the answer: to the hosting page in host mode, else to the preview box (4.8). */
  function handOff(answer, owner) {
    const plain = JSON.parse(JSON.stringify(answer));
    owner.dispatchEvent(new CustomEvent("crowd-answer", { bubbles: true, composed: true, detail: plain }));
    owner._handOff("busy");
    const deliver = (mode) => {
      if (mode === "host") {
        host.pending = owner;
        window.parent.postMessage({ crowdform: "answer", answer: plain }, "*");
      } else owner._handOff("preview", JSON.stringify([plain], null, 2));
    };
    if (host.decided || !host.framed) deliver(host.mode);
    else host.waiters.push(deliver);
  }

  function notifyBlocked(reason) {
    if (host.mode === "host") window.parent.postMessage({ crowdform: "blocked", reason }, "*");
  }

  window.addEventListener("message", (e) => {
    const data = e.data;
    if (!host.framed || e.source !== window.parent || !data || typeof data !== "object") return;
    if (data.crowdform === "host" && data.version >= 1) decideHost("host");
    if (host.mode !== "host") return;
    if (data.crowdform === "saved" || data.crowdform === "rejected") {
      const owner = host.pending;
      host.pending = null;
      if (owner) owner._handOff(data.crowdform, typeof data.message === "string" ? data.message : "");
    } else if (data.crowdform === "submit") {
      // Through a tool's own Submit button if any, so that a template's listeners on it run.
      const button = [...document.querySelectorAll(TOOL_TAGS.join(","))].map((t) => t.shadowRoot?.querySelector("awsui-button")).find(Boolean);
      if (button) button.click();
      else document.querySelector("crowd-form")?.submit();
    }
  });

  /* == ready event (2.1, Q 25) */

  function onDomReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => fn(), { once: true });
    else fn();
  }
  let fired = false;
  let markReady;
  const ready = new Promise((resolve) => { markReady = resolve; });
  onDomReady(() => {
    if (host.framed) {
      window.parent.postMessage({ crowdform: "frame-ready" }, "*");
      setTimeout(() => { if (!host.decided) decideHost("preview"); }, 2000);
    }
    // A task after DOMContentLoaded, so listeners added in DOMContentLoaded handlers hear it too.
    setTimeout(() => {
      if (fired) return;
      fired = true;
      document.dispatchEvent(new Event("all-crowd-elements-ready", { bubbles: false }));
      markReady();
    });
  });

  /* == keyboard helpers */

  /** True when the key event comes from a place where typing means text (inputs, contenteditable). */
  function fromEditable(e) {
    for (const n of e.composedPath()) {
      if (n.nodeType !== 1) continue;
      if (n.isContentEditable || n.localName === "textarea" || n.localName === "select") return true;
      if (n.localName === "input" && !/^(button|checkbox|radio|range|submit|reset|image|color|file)$/.test(n.type)) return true;
    }
    return false;
  }

  /** Whether `el` takes page-level shortcut keys: focus is in it, or in no other `selector` element
      and `el` is the first of them. */
  function ownsKeys(el, e, selector) {
    const path = e.composedPath();
    if (path.includes(el)) return true;
    if (path.some((n) => n.nodeType === 1 && n !== el && n.matches(selector))) return false;
    return document.querySelector(selector) === el;
  }

  Object.assign(C, {
    version: 1, parseAttribute, readAttribute, parseBoolean, parseNumber, reflect, define, style,
    BASE_CSS, TOOL_CSS, PALETTE, icon, CrowdElement, slotRegions, watchRegions, toolLayout, TOOL_TAGS,
    enclosingForm, submitEnclosingForm, handOff, notifyBlocked, host, onDomReady, ready, fromEditable, ownsKeys,
  });
})();

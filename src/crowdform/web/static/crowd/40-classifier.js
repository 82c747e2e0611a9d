/* 40-classifier.js: <crowd-classifier> (5.7) and the single-choice tool it shares with
   <crowd-image-classifier>: categories as radio-style buttons, keys 1-9, `change`; {"label"}. */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const CSS = `.annotation-area{display:grid;grid-template-columns:minmax(0,1fr) minmax(200px,300px);gap:0 24px;align-items:start}
.annotation-area>.target{grid-column:1;grid-row:1/span 20;min-width:0}
.annotation-area>:not(.target){grid-column:2;margin-bottom:8px}
@media (max-width:720px){.annotation-area{grid-template-columns:minmax(0,1fr)}.annotation-area>*{grid-column:1!important;grid-row:auto!important}}
.picker-title{font-weight:600;margin:0 0 8px}
.category-picker{display:flex;flex-direction:column;gap:6px}
.category{font:inherit;color:inherit;display:flex;align-items:center;gap:10px;width:100%;text-align:left;padding:8px 10px;border:1px solid var(--crowd-border);border-radius:var(--crowd-radius);background:var(--crowd-bg);cursor:pointer}
.category:hover{background:#f2f3f3}
.category[aria-checked=true]{border-color:var(--crowd-primary);background:var(--crowd-primary-light);box-shadow:inset 3px 0 var(--crowd-primary)}
.category .text{flex:1;overflow-wrap:anywhere}
.key{flex:none;min-width:1.7em;height:1.7em;display:inline-grid;place-items:center;border:1px solid var(--crowd-line);border-radius:3px;font-size:.75em;color:var(--crowd-muted);background:var(--crowd-panel)}
.key::before{content:attr(data-key)}
.key:not([data-key]){visibility:hidden}
.empty{color:var(--crowd-muted);font-style:italic}`;

  /** Category strings from strings or objects with label/text/name. */
  function normalize(value) {
    const out = [];
    for (const item of Array.isArray(value) ? value : []) {
      const text = item !== null && typeof item === "object" ? item.label ?? item.text ?? item.name : item;
      if (text != null && !out.includes(String(text))) out.push(String(text));
    }
    return out;
  }

  /** Single-choice classification tool. Subclasses may override _targetHTML() and _extraHTML(). */
  class ClassifierElement extends C.CrowdElement {
    static get shadowOptions() { return { slotAssignment: "manual" }; }
    static get upgradeProps() { return ["categories", "value"]; }
    static get observedAttributes() { return ["categories"]; }

    _targetHTML() { return `<slot name="classification-target" data-region="classification-target"></slot>`; }
    _extraHTML() { return ""; }

    render(root) {
      C.style(root, CSS, this.constructor.css || "");
      const content = C.toolLayout(root, this, { submit: true });
      content.innerHTML = `<div class="annotation-area"><div class="target">${this._targetHTML()}</div>
<div class="category-picker-wrapper"><p class="picker-title" id="picker-title">Choose one</p>
<div class="category-picker" role="radiogroup" aria-labelledby="picker-title"></div><p class="crowd-error" role="alert"></p>${this._extraHTML()}</div></div>`;
      this._picker = content.querySelector(".category-picker");
      if (this._chosen === undefined) this._chosen = null;
      this._renderCategories();
      C.slotRegions(this);
    }

    attributeChanged(name) {
      if (name === "categories") { this._cats = undefined; this._renderCategories(); }
    }

    get categories() {
      if (this._cats) return this._cats.slice();
      const text = this.getAttribute("categories");
      if (text !== this._parsedText) { this._parsedText = text; this._parsed = normalize(C.readAttribute(this, "categories")); }
      return this._parsed.slice();
    }

    set categories(value) {
      this._cats = normalize(value);
      if (this._picker) this._renderCategories();
    }

    _renderCategories() {
      const cats = this.categories;
      if (!cats.includes(this._chosen)) this._chosen = null;
      const buttons = cats.map((c, i) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "category";
        b.setAttribute("role", "radio");
        b.dataset.index = String(i);
        b.innerHTML = `<span class="key" aria-hidden="true"></span><span class="text"></span>`;
        if (i < 9) b.firstChild.dataset.key = String(i + 1);
        b.lastChild.textContent = c;
        return b;
      });
      if (!buttons.length) {
        const p = document.createElement("p");
        p.className = "empty";
        p.textContent = "No categories.";
        buttons.push(p);
      }
      this._picker.replaceChildren(...buttons);
      this._marks();
    }

    _marks() {
      const buttons = [...this._picker.querySelectorAll(".category")];
      const cats = this.categories;
      buttons.forEach((b, i) => {
        b.setAttribute("aria-checked", String(cats[i] === this._chosen));
        b.tabIndex = cats[i] === this._chosen || (this._chosen == null && i === 0) ? 0 : -1;
      });
    }

    /** A worker's choice: record it, fire `change` (event.target.value is the category). */
    _choose(label) {
      if (label === this._chosen) return;
      this._chosen = label;
      this._marks();
      if (this.hasAttribute("data-invalid")) this.setError(null);
      this.dispatchEvent(new Event("change", { bubbles: true }));
    }

    connected(signal) {
      const on = (el, type, fn) => el.addEventListener(type, fn, { signal });
      on(this._picker, "click", (e) => {
        const b = e.target.closest(".category");
        if (b) this._choose(this.categories[Number(b.dataset.index)]);
      });
      on(this._picker, "keydown", (e) => {
        const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[e.key];
        const buttons = [...this._picker.querySelectorAll(".category")];
        const i = buttons.indexOf(this.shadowRoot.activeElement);
        if (!step || i < 0) return;
        e.preventDefault();
        const next = (i + step + buttons.length) % buttons.length;
        this._choose(this.categories[next]);
        buttons[next].focus();
      });
      on(document, "keydown", (e) => {
        if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || !/^[1-9]$/.test(e.key)) return;
        if (C.fromEditable(e) || !C.ownsKeys(this, e, C.TOOL_TAGS.join(","))) return;
        const label = this.categories[Number(e.key) - 1];
        if (label === undefined) return;
        e.preventDefault();
        this._choose(label);
      });
    }

    /** The chosen category ("" before a choice). Setting it chooses without a `change` event. */
    get value() { return this._chosen || ""; }
    set value(v) {
      this._chosen = v == null || v === "" ? null : String(v);
      if (this._picker) this._marks();
    }

    answer() { return this._chosen != null ? { label: this._chosen } : undefined; }

    validate() {
      if (this._chosen != null) return null;
      return this.categories.length ? "Choose a category." : "There are no categories to choose from.";
    }

    focus(options) {
      const b = this._picker && (this._picker.querySelector('[aria-checked="true"]') || this._picker.querySelector(".category"));
      if (b) b.focus(options);
      else super.focus(options);
    }

    _reset() { this._chosen = null; if (this._picker) this._marks(); }
  }
  C.reflect(ClassifierElement, { header: ["header", "string"] });

  class CrowdClassifierElement extends ClassifierElement {}

  C.ClassifierElement = ClassifierElement;
  C.normalizeCategories = normalize;
  C.define("crowd-classifier", CrowdClassifierElement);
})();

/* 42-classifier-multi-select.js: <crowd-classifier-multi-select> (5.8) and the multi-select mixin
   shared with <crowd-image-classifier-multi-select> (5.13): the single-choice classifier's layout and
   picker with checkbox-style toggles, an optional exclusion choice, keys 1-9; {"labels": [...]}. */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const CSS = `.category .box{flex:none;width:16px;height:16px;border:2px solid var(--crowd-border);border-radius:3px;display:inline-grid;place-items:center;background:var(--crowd-bg)}
.category[aria-checked=true] .box{background:var(--crowd-primary);border-color:var(--crowd-primary)}
.category[aria-checked=true] .box::after{content:"";width:8px;height:4px;border:solid #fff;border-width:0 0 2px 2px;transform:translateY(-1px) rotate(-45deg)}
.category:disabled{opacity:.5;cursor:default}.category:disabled:hover{background:var(--crowd-bg)}
.exclusion{margin-top:6px;border-style:dashed}`;

  /** Turn a single-choice classifier class (40, 41) into its multi-select variant: the chosen
      categories are a set reported in `categories` order (Q 17); the `exclusion-category` choice
      clears and disables the others and is reported alone (Q 16). */
  function multiSelect(Base) {
    return class extends Base {
      static get css() { return (super.css || "") + CSS; }
      static get observedAttributes() { return [...super.observedAttributes, "exclusion-category"]; }

      render(root) {
        if (!this._set) this._set = new Set();
        if (this._excluded === undefined) this._excluded = false;
        super.render(root);
        const title = root.querySelector(".picker-title");
        title.textContent = "Choose all that apply";
        this._picker.setAttribute("role", "group");
      }

      attributeChanged(name, old, value) {
        super.attributeChanged(name, old, value);
        if (name === "exclusion-category") this._renderCategories();
      }

      /** The exclusion choice's text, or null without a usable `exclusion-category`. */
      get _exclusion() {
        const ex = C.readAttribute(this, "exclusion-category");
        const text = ex && typeof ex === "object" ? ex.text ?? ex.label : ex;
        return text == null || text === "" ? null : String(text);
      }

      _renderCategories() {
        if (!this._set) this._set = new Set();
        const cats = this.categories;
        for (const c of [...this._set]) if (!cats.includes(c)) this._set.delete(c);
        super._renderCategories();
        for (const b of this._picker.querySelectorAll(".category")) {
          b.setAttribute("role", "checkbox");
          b.firstChild.after(Object.assign(document.createElement("span"), { className: "box" }));
        }
        const ex = this._exclusion;
        if (ex == null) this._excluded = false;
        else {
          const b = document.createElement("button");
          b.type = "button";
          b.className = "category exclusion";
          b.setAttribute("role", "checkbox");
          b.innerHTML = `<span class="key" aria-hidden="true"></span><span class="box"></span><span class="text"></span>`;
          b.lastChild.textContent = ex;
          this._picker.querySelector(".empty")?.remove();
          this._picker.append(b);
        }
        this._marks();
      }

      _marks() {
        if (!this._set) return;
        const cats = this.categories;
        [...this._picker.querySelectorAll(".category")].forEach((b, i) => {
          const ex = b.classList.contains("exclusion");
          b.setAttribute("aria-checked", String(ex ? this._excluded : this._set.has(cats[i])));
          b.disabled = !ex && this._excluded;
          b.tabIndex = i === 0 || (ex && this._excluded) ? 0 : -1;
        });
      }

      /** Toggle one category (a click, a number key), or the exclusion choice (label null). */
      _choose(label) {
        if (label === null) this._excluded = !this._excluded;
        else if (label === undefined || this._excluded) return;
        else if (this._set.has(label)) this._set.delete(label);
        else this._set.add(label);
        if (this._excluded) this._set.clear();
        this._marks();
        if (this.hasAttribute("data-invalid")) this.setError(null);
        this.dispatchEvent(new Event("change", { bubbles: true }));
      }

      connected(signal) {
        // Arrow keys move the focus only (the base class would choose); the exclusion is a toggle too.
        this._picker.addEventListener("keydown", (e) => {
          const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[e.key];
          if (!step) return;
          e.preventDefault();
          e.stopPropagation();
          const buttons = [...this._picker.querySelectorAll(".category:not(:disabled)")];
          const i = buttons.indexOf(this.shadowRoot.activeElement);
          if (buttons.length) buttons[(i + step + buttons.length) % buttons.length].focus();
        }, { capture: true, signal });
        this._picker.addEventListener("click", (e) => {
          if (e.target.closest(".exclusion")) { e.stopPropagation(); this._choose(null); }
        }, { capture: true, signal });
        super.connected(signal);
      }

      /** The chosen labels (`categories` order), or [exclusion text]. Setting chooses without `change`. */
      get labels() {
        if (this._excluded) return [this._exclusion];
        return this.categories.filter((c) => this._set && this._set.has(c));
      }

      get value() { return this.labels; }
      set value(v) {
        if (!this._set) this._set = new Set();
        this._set.clear();
        this._excluded = false;
        const ex = this._exclusion;
        for (const x of Array.isArray(v) ? v : v == null ? [] : [v]) {
          if (ex != null && String(x) === ex) this._excluded = true;
          else this._set.add(String(x));
        }
        if (this._excluded) this._set.clear();
        if (this._picker) this._marks();
      }

      answer() {
        const a = { labels: this.labels };
        if (this.workerComment) a.workerComment = this.workerComment;
        return a;
      }

      validate() {
        if (this._excluded || this.labels.length) return null;
        return this.categories.length ? "Choose at least one category." : "There are no categories to choose from.";
      }

      focus(options) {
        const b = this._picker && this._picker.querySelector(".category:not(:disabled)");
        if (b) b.focus(options);
        else HTMLElement.prototype.focus.call(this, options);
      }

      _reset() {
        if (this._set) this._set.clear();
        this._excluded = false;
        if (super._reset) super._reset();
      }
    };
  }

  C.multiSelect = multiSelect;
  C.define("crowd-classifier-multi-select", multiSelect(C.ClassifierElement));
})();

/* 33-radio.js: <crowd-radio-button> (5.22), {"<value>": <checked>} under its name, and
   <crowd-radio-group> (5.23) making its buttons exclusive; outside a group, those sharing a name. */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const CSS = `:host{display:block;margin:4px 0}
.row{display:inline-flex;align-items:flex-start;gap:8px;cursor:pointer}
.radio{width:16px;height:16px;margin-top:2px;flex:none;border:1px solid var(--crowd-border);border-radius:50%;display:grid;place-items:center;background:var(--crowd-bg)}
.radio[aria-checked=true]{border-color:var(--crowd-primary)}
.radio[aria-checked=true]::after{content:"";width:8px;height:8px;border-radius:50%;background:var(--crowd-primary)}
:host([disabled]) .row{cursor:default;color:var(--crowd-muted)}
:host([disabled]) .radio{background:#f2f3f3}`;

  class CrowdRadioButtonElement extends C.CheckableElement {
    static get observedAttributes() { return ["checked", "disabled"]; }

    render(root) {
      C.style(root, CSS);
      root.innerHTML += `<span class="row" part="label"><span class="radio" role="radio" part="radio" tabindex="0"></span><span class="text"><slot></slot></span></span>`;
      this._radio = root.querySelector(".radio");
      this._default = this.hasAttribute("checked");
      this.checked = this._initial();
      this.attributeChanged("");
    }

    attributeChanged(name) {
      if (name === "checked" && !this._reflecting) this.checked = this._default = this.hasAttribute("checked");
      const off = this.hasAttribute("disabled");
      this._radio.setAttribute("aria-disabled", String(off));
      this._radio.tabIndex = off ? -1 : 0;
    }

    _reset() { this.checked = this._default; } // `checked` as the page set it

    connected(signal) {
      this.addEventListener("click", () => this._choose(), { signal });
      this._radio.addEventListener("keydown", (e) => {
        if (e.key === " " || e.key === "Enter") { e.preventDefault(); this._choose(); }
      }, { signal });
    }

    /** A worker's choice: check, uncheck the others, fire `change`. */
    _choose() {
      if (this.hasAttribute("disabled") || this.checked) return;
      this.checked = true;
      this.dispatchEvent(new Event("change", { bubbles: true }));
    }

    /** The state, shown and reflected to `checked` as AWS's radios do (templates watch it). */
    _set(on) {
      this._on = on;
      if (!this._radio) return;
      this._radio.setAttribute("aria-checked", String(on));
      this._reflecting = true;
      this.toggleAttribute("checked", on);
      this._reflecting = false;
    }

    get checked() { return this._radio ? !!this._on : this._pending ?? this.hasAttribute("checked"); }
    set checked(v) {
      if (!this._radio) { this._pending = !!v; return; }
      this._set(!!v);
      if (!v) return;
      const e = new CustomEvent("crowd-radio-select", { bubbles: true, cancelable: true });
      this.dispatchEvent(e);
      if (e.defaultPrevented || !this.name) return; // a group took care of the others
      for (const other of this.getRootNode().querySelectorAll("crowd-radio-button")) {
        if (other !== this && other._radio && other.name === this.name && !other.closest("crowd-radio-group")) other.checked = false;
      }
    }
  }

  class CrowdRadioGroupElement extends C.CrowdElement {
    render(root) {
      C.style(root, ":host{display:block}");
      root.innerHTML += `<div role="radiogroup" part="group"><slot></slot></div>`;
      // Buttons upgraded before the group: the last checked wins, as native radios.
      const checked = this.buttons.filter((b) => b._radio && b.checked);
      for (const b of checked.slice(0, -1)) b.checked = false;
    }

    /** The group's own buttons (not those of a nested group). */
    get buttons() { return [...this.querySelectorAll("crowd-radio-button")].filter((b) => b.closest("crowd-radio-group") === this); }

    connected(signal) {
      this.addEventListener("crowd-radio-select", (e) => {
        const chosen = e.target;
        if (chosen.closest("crowd-radio-group") !== this) return;
        e.preventDefault();
        for (const b of this.buttons) if (b !== chosen && b._radio) b.checked = false;
      }, { signal });
      this.addEventListener("keydown", (e) => {
        const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[e.key];
        const buttons = this.buttons.filter((b) => !b.hasAttribute("disabled"));
        const i = buttons.indexOf(e.target);
        if (!step || i < 0) return;
        e.preventDefault();
        const next = buttons[(i + step + buttons.length) % buttons.length];
        next.focus();
        next._choose();
      }, { signal });
    }
  }

  C.define("crowd-radio-group", CrowdRadioGroupElement);
  C.define("crowd-radio-button", CrowdRadioButtonElement);
})();

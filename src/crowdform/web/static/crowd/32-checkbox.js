/* 32-checkbox.js: <crowd-checkbox> (5.6): {"<value>": <checked>} under its name (merged per name,
   4.5); `required` means "must be checked". */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const CSS = `:host{display:block;margin:4px 0}
label{display:inline-flex;align-items:flex-start;gap:8px;cursor:pointer}
input{width:16px;height:16px;margin:2px 0 0;flex:none;accent-color:var(--crowd-primary);cursor:inherit}
:host([disabled]) label{cursor:default;color:var(--crowd-muted)}
:host([data-invalid]) input{outline:2px solid var(--crowd-error);outline-offset:1px}`;

  /** Base of the checkable controls: state `checked`, reported as {"<value>": <checked>}. */
  class CheckableElement extends C.CrowdElement {
    static get shadowOptions() { return { delegatesFocus: true }; }
    static get upgradeProps() { return ["checked"]; }
    /** The answer's key ("on" by default, as a native checkbox's). */
    get value() { return this.getAttribute("value") ?? "on"; }
    set value(v) { this.setAttribute("value", v); }
    get _checkable() { return true; }
    answer() { return { [this.value]: this.checked }; }
    _reset() { this.checked = this.hasAttribute("checked"); }
    /** The initial state: a property set before rendering, else the attribute. */
    _initial() {
      const v = this._pending !== undefined ? this._pending : this.hasAttribute("checked");
      this._pending = undefined;
      return v;
    }
  }
  C.reflect(CheckableElement, { disabled: ["disabled", "bool"] });

  class CrowdCheckboxElement extends CheckableElement {
    static get observedAttributes() { return ["checked", "disabled", "required"]; }

    render(root) {
      C.style(root, CSS);
      root.innerHTML += `<label part="label"><input type="checkbox" part="checkbox"><span class="text"><slot></slot></span></label>
<p class="crowd-error" role="alert"></p>`;
      this._box = root.querySelector("input");
      this._box.checked = this._initial();
      this.attributeChanged("");
    }

    attributeChanged(name) {
      const box = this._box;
      if (name === "checked") box.checked = this.hasAttribute("checked");
      box.disabled = this.hasAttribute("disabled");
      box.required = this.hasAttribute("required");
    }

    connected(signal) {
      this._box.addEventListener("change", () => {
        if (this.hasAttribute("data-invalid")) this.setError(this.validate());
        this.dispatchEvent(new Event("change", { bubbles: true }));
      }, { signal });
      // el.click() from script toggles like a native checkbox.
      this.addEventListener("click", (e) => { if (e.composedPath()[0] === this && !this.disabled) this._box.click(); }, { signal });
    }

    get checked() { return this._box ? this._box.checked : this._pending ?? this.hasAttribute("checked"); }
    set checked(v) {
      if (this._box) this._box.checked = !!v;
      else this._pending = !!v;
    }

    validate() { return this.hasAttribute("required") && !this.checked ? "Check this box to continue." : null; }
  }
  C.reflect(CrowdCheckboxElement, { required: ["required", "bool"] });

  C.CheckableElement = CheckableElement;

  C.define("crowd-checkbox", CrowdCheckboxElement);
})();

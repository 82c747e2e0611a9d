/* 34-toggle-button.js: <crowd-toggle-button> (5.30): an on/off switch; the checkbox (32) restyled, so
   it reports {"<value>": <on>} under its name (4.5), `required` means "must be on", `invalid` shows
   the alert colour while off. */
(() => {
  "use strict";
  const C = window.CrowdCore;
  const Checkbox = customElements.get("crowd-checkbox");
  if (!Checkbox) return;

  const CSS = `:host{display:inline-block;margin:4px 0}
label{align-items:center}
input{appearance:none;-webkit-appearance:none;position:relative;width:36px;height:20px;margin:0;border-radius:10px;
background:var(--crowd-border);outline-offset:2px}
input::before{content:"";position:absolute;top:2px;left:2px;width:16px;height:16px;border-radius:50%;background:#fff;
box-shadow:0 1px 2px rgba(0,0,0,.3);transition:transform .15s}
input:checked{background:var(--crowd-primary)}
input:checked::before{transform:translateX(16px)}
input:disabled{opacity:.5}
:host([invalid]) input:not(:checked),:host([data-invalid]) input:not(:checked){background:var(--crowd-error);outline:none}`;

  class CrowdToggleButtonElement extends Checkbox {
    static get observedAttributes() { return [...super.observedAttributes, "invalid"]; }

    render(root) {
      super.render(root);
      C.style(root, CSS);
      this._box.setAttribute("role", "switch");
    }

    validate() { return this.hasAttribute("required") && !this.checked ? "Switch this on to continue." : null; }
  }
  C.reflect(CrowdToggleButtonElement, { invalid: ["invalid", "bool"] });

  C.define("crowd-toggle-button", CrowdToggleButtonElement);
})();

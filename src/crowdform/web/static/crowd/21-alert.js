/* 21-alert.js: <crowd-alert> (5.1): info|success|error|warning; `dismissible` adds a close button. */
(() => {
  "use strict";
  const C = window.CrowdCore;
  const ICON = { info: "info", success: "check-circle", error: "error", warning: "report-problem" };

  const CSS = `:host{display:block;margin:8px 0}
.alert{display:flex;gap:10px;align-items:flex-start;padding:10px 14px;border:1px solid;border-left-width:4px;border-radius:var(--crowd-radius)}
.info{border-color:var(--crowd-primary);background:var(--crowd-primary-light)}.info .icon{color:var(--crowd-primary)}
.success{border-color:var(--crowd-success);background:var(--crowd-success-bg)}.success .icon{color:var(--crowd-success)}
.error{border-color:var(--crowd-error);background:var(--crowd-error-bg)}.error .icon{color:var(--crowd-error)}
.warning{border-color:#ff9900;background:var(--crowd-warning-bg)}.warning .icon{color:#ff9900}
.icon{flex:none;margin-top:2px}.content{flex:1;min-width:0}
.dismiss{flex:none;border:none;background:none;cursor:pointer;font-size:20px;line-height:1;color:var(--crowd-muted);padding:0 4px}`;

  class CrowdAlertElement extends C.CrowdElement {
    static get observedAttributes() { return ["type", "dismissible"]; }

    render(root) {
      C.style(root, CSS);
      root.innerHTML += `<div class="alert" part="alert"><div class="content"><slot></slot></div>
<button type="button" class="dismiss" aria-label="Dismiss">\u00d7</button></div>`;
      this.attributeChanged();
    }

    attributeChanged() {
      const box = this.shadowRoot.querySelector(".alert");
      const type = ICON[this.type] ? this.type : "info";
      box.className = `alert ${type}`;
      box.setAttribute("role", type === "error" || type === "warning" ? "alert" : "status");
      const old = box.querySelector(".icon");
      if (old) old.remove();
      box.prepend(C.icon(ICON[type]));
      box.querySelector(".dismiss").hidden = !this.dismissible;
    }

    connected(signal) {
      this.shadowRoot.querySelector(".dismiss").addEventListener("click", () => {
        this.hidden = true;
        this.dispatchEvent(new CustomEvent("dismiss", { bubbles: true }));
      }, { signal });
    }
  }
  C.reflect(CrowdAlertElement, { type: ["type", "string", "info"], dismissible: ["dismissible", "bool"] });

  C.define("crowd-alert", CrowdAlertElement);
})();

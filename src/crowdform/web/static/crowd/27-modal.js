/* 27-modal.js: <crowd-modal link-text link-type> (5.19): a link or button that opens a dialog showing
   the element's children (slotted, so named controls inside stay in the crowd-form and are submitted).
   open()/close() and the `opened` property for scripts; Escape, the close button or the backdrop close. */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const CSS = `:host{display:inline-block}
.trigger.link{font:inherit;border:none;background:none;padding:0;color:var(--crowd-primary);text-decoration:underline;cursor:pointer}
dialog{width:min(600px,92vw)}`;

  class CrowdModalElement extends C.CrowdElement {
    static get observedAttributes() { return ["link-text", "link-type"]; }

    render(root) {
      C.style(root, CSS);
      root.innerHTML += `<button type="button" class="trigger" part="trigger"></button>
<dialog part="dialog"><div class="modal-head"><h2 class="modal-title"></h2><button type="button" class="modal-close" aria-label="Close">\u00d7</button></div>
<div class="modal-body"><slot></slot></div></dialog>`;
      this._trigger = root.querySelector(".trigger");
      this._dialog = root.querySelector("dialog");
      this._build();
    }

    attributeChanged() { this._build(); }

    _build() {
      const text = this.getAttribute("link-text") || "Click to open modal";
      this._trigger.textContent = text;
      this._trigger.className = `trigger ${this.getAttribute("link-type") === "button" ? "btn" : "link"}`;
      this._dialog.setAttribute("aria-label", text);
    }

    connected(signal) {
      const on = (el, type, fn) => el.addEventListener(type, fn, { signal });
      on(this._trigger, "click", () => this.open());
      on(this.shadowRoot.querySelector(".modal-close"), "click", () => this.close());
      on(this._dialog, "click", (e) => { if (e.target === this._dialog) this.close(); });
      on(this._dialog, "close", () => this.dispatchEvent(new Event("close")));
    }

    get opened() { return !!(this._dialog && this._dialog.open); }
    set opened(v) { if (v) this.open(); else this.close(); }
    open() { if (this._dialog && !this._dialog.open) { this._dialog.showModal(); this.dispatchEvent(new Event("open")); } }
    close() { if (this._dialog && this._dialog.open) this._dialog.close(); }
  }

  C.define("crowd-modal", CrowdModalElement);
})();

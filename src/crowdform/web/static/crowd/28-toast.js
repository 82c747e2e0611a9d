/* 28-toast.js: <crowd-toast duration text opened> (5.29): a transient notification at the bottom of
   the page, shown while `opened`, for `duration` ms (3000 by default, 0 or less: until closed); only one
   toast is visible at a time. Scripts call show()/open(), close(), toggle() or set `opened`. */
(() => {
  "use strict";
  const C = window.CrowdCore;
  let current = null;

  const CSS = `:host{display:contents}
.toast{position:fixed;left:16px;bottom:16px;z-index:1000;max-width:min(560px,calc(100vw - 32px));padding:12px 16px;border-radius:4px;
background:#323232;color:#fff;box-shadow:0 2px 8px rgba(0,0,0,.35);font-size:.9375em;animation:in .2s ease-out}
@keyframes in{from{opacity:0;transform:translateY(12px)}}
:host(:not([opened])) .toast{display:none}
.text:empty{display:none}`;

  class CrowdToastElement extends C.CrowdElement {
    static get observedAttributes() { return ["opened", "text", "duration"]; }

    render(root) {
      C.style(root, CSS);
      root.innerHTML += `<div class="toast" part="toast" role="status" aria-live="polite"><span class="text"></span><slot></slot></div>`;
      this._text = root.querySelector(".text");
      this._text.textContent = this.getAttribute("text") || "";
      this._sync();
    }

    attributeChanged(name) {
      if (name === "text") this._text.textContent = this.getAttribute("text") || "";
      if (name === "opened" || name === "duration") this._sync();
    }

    connected() { this._sync(); }
    disconnectedCallback() { super.disconnectedCallback(); clearTimeout(this._timer); if (current === this) current = null; }

    /** Start (or restart) the timer and hide any other open toast. */
    _sync() {
      clearTimeout(this._timer);
      if (!this.opened || !this.isConnected) { if (current === this) current = null; return; }
      if (current && current !== this) current.close();
      current = this;
      const ms = this.duration;
      if (ms > 0) this._timer = setTimeout(() => this.close(), ms);
    }

    show() { this.opened = true; this._sync(); }
    open() { this.show(); }
    close() { this.opened = false; }
    toggle() { if (this.opened) this.close(); else this.show(); }
  }
  C.reflect(CrowdToastElement, { opened: ["opened", "bool"], text: ["text", "string"], duration: ["duration", "number", 3000] });

  C.define("crowd-toast", CrowdToastElement);
})();

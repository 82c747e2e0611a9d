/* 20-button.js: <crowd-button> (5.4): button or link; form-action submit/reset the crowd-form. */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const CSS = `:host{display:inline-block;vertical-align:middle}
:host([disabled]),:host([loading]){pointer-events:none}
.btn{width:100%;justify-content:center}
.btn.link{border-color:transparent;background:none;color:var(--crowd-primary);padding:5px 8px}
.btn.link:hover:not(:disabled){background:none;text-decoration:underline}
.btn.icon{border-radius:50%;padding:6px;border-color:transparent;background:none}
.btn.icon:hover:not(:disabled){background:#eaeded}
.btn.right{flex-direction:row-reverse}
.custom-icon{width:1.1em;height:1.1em;object-fit:contain}
.spinner{width:1em;height:1em;border:2px solid currentColor;border-right-color:transparent;border-radius:50%;animation:spin .8s linear infinite}
@keyframes spin{to{transform:rotate(360deg)}}`;

  class CrowdButtonElement extends C.CrowdElement {
    static get observedAttributes() {
      return ["disabled", "loading", "variant", "href", "target", "icon", "icon-align", "icon-url"];
    }

    render(root) {
      C.style(root, CSS);
      this._build();
    }

    attributeChanged() { this._build(); }

    _build() {
      const root = this.shadowRoot;
      const href = this.getAttribute("href");
      const off = this.disabled || this.loading;
      const variant = this.getAttribute("variant") || "normal";
      const b = document.createElement(href != null ? "a" : "button");
      b.className = `btn ${variant}${this.getAttribute("icon-align") === "right" ? " right" : ""}`;
      b.setAttribute("part", "button");
      if (href != null) {
        if (!off) b.href = href;
        if (this.getAttribute("target")) b.target = this.getAttribute("target");
        b.setAttribute("role", "button");
        if (off) b.setAttribute("aria-disabled", "true");
      } else {
        b.type = "button";
        b.disabled = off;
      }
      if (this.loading) {
        const s = document.createElement("span");
        s.className = "spinner";
        b.append(s);
      } else if (this.getAttribute("icon-url")) {
        const img = document.createElement("img");
        img.className = "custom-icon";
        img.alt = "";
        img.src = this.getAttribute("icon-url");
        b.append(img);
      } else if (this.getAttribute("icon")) {
        const i = C.icon(this.getAttribute("icon"));
        if (i) b.append(i);
      }
      const label = document.createElement("span");
      label.append(document.createElement("slot"));
      b.append(label);
      if (variant === "icon" && this.getAttribute("title")) b.setAttribute("aria-label", this.getAttribute("title"));
      const old = root.querySelector(".btn");
      if (old) old.replaceWith(b);
      else root.append(b);
    }

    connected(signal) {
      this.addEventListener("click", (e) => {
        if (this.disabled || this.loading) {
          e.preventDefault();
          e.stopImmediatePropagation();
          return;
        }
        const action = this.getAttribute("form-action");
        const form = action && C.enclosingForm(this);
        if (!form) return;
        e.preventDefault();
        if (action === "submit") form.submit();
        else if (action === "reset") form.reset();
      }, { signal });
    }
  }
  C.reflect(CrowdButtonElement, {
    disabled: ["disabled", "bool"], loading: ["loading", "bool"], variant: ["variant", "string", "normal"],
    href: ["href", "string"], target: ["target", "string"], icon: ["icon", "string"],
    iconAlign: ["icon-align", "string", "left"], iconUrl: ["icon-url", "string"], formAction: ["form-action", "string"],
  });

  C.define("crowd-button", CrowdButtonElement);
  C.CrowdButtonElement = CrowdButtonElement;
})();

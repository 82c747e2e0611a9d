/* 25-fab.js: <crowd-fab> (5.10), a round floating action button (`icon`, or one `label` character),
   and the icon-only button base shared with <crowd-icon-button> (26). Clicks bubble from the element
   itself; nothing happens by default; `disabled` ignores clicks. */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const CSS = `:host{display:inline-block;vertical-align:middle}
:host([disabled]){pointer-events:none}
button{font:inherit;position:relative;overflow:hidden;display:inline-grid;place-items:center;cursor:pointer;border:none;padding:0}
button:disabled{cursor:default;opacity:.45}
.ripple{position:absolute;border-radius:50%;background:currentColor;opacity:.3;transform:scale(0);animation:ripple .45s ease-out forwards;pointer-events:none}
@keyframes ripple{to{transform:scale(2.5);opacity:0}}
button img{width:24px;height:24px;object-fit:contain}
.label{max-width:100%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;padding:0 4px}`;
  const FAB_CSS = `button{width:56px;height:56px;border-radius:50%;background:var(--crowd-accent);color:#fff;font-size:20px;
box-shadow:0 2px 6px rgba(0,0,0,.3)}
button:hover:not(:disabled){background:var(--crowd-accent-dark)}
button .icon svg{width:24px;height:24px}`;

  /** A button showing only an icon (or a short label): `icon`, `label`, `disabled`, `title`. */
  class IconButtonBase extends C.CrowdElement {
    static get observedAttributes() { return ["icon", "label", "disabled", "title"]; }
    static get css() { return ""; }

    render(root) {
      C.style(root, CSS, this.constructor.css);
      root.innerHTML += `<button type="button" part="button"></button>`;
      this._button = root.querySelector("button");
      this._build();
    }

    attributeChanged() { this._build(); }

    _build() {
      const b = this._button;
      const icon = C.iconOrImage ? C.iconOrImage(this.getAttribute("icon")) : C.icon(this.getAttribute("icon"));
      if (icon) b.replaceChildren(icon);
      else {
        const span = document.createElement("span");
        span.className = "label";
        span.textContent = this.getAttribute("label") || "";
        b.replaceChildren(span);
      }
      b.disabled = this.disabled;
      b.setAttribute("aria-label", this.getAttribute("title") || this.getAttribute("label") || this.getAttribute("icon") || "button");
    }

    connected(signal) {
      this._button.addEventListener("pointerdown", (e) => {
        const r = this._button.getBoundingClientRect(), size = Math.max(r.width, r.height);
        const ripple = document.createElement("span");
        ripple.className = "ripple";
        Object.assign(ripple.style, { width: `${size}px`, height: `${size}px`,
          left: `${e.clientX - r.left - size / 2}px`, top: `${e.clientY - r.top - size / 2}px` });
        ripple.addEventListener("animationend", () => ripple.remove());
        this._button.append(ripple);
      }, { signal });
    }

    focus(options) { if (this._button) this._button.focus(options); else super.focus(options); }
  }
  C.reflect(IconButtonBase, { disabled: ["disabled", "bool"], icon: ["icon", "string"], label: ["label", "string"] });

  class CrowdFabElement extends IconButtonBase {
    static get css() { return FAB_CSS; }
  }

  C.IconButtonBase = IconButtonBase;
  C.define("crowd-fab", CrowdFabElement);
})();

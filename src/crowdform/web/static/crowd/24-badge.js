/* 24-badge.js: <crowd-badge for icon label> (5.2): a small badge pinned to the upper-right corner of
   the element whose id is `for` (inline where it stands without one); `icon` (a name or an image URL)
   wins over `label`. Content that the HTML parser puts inside (self-closing form) renders normally. */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const CSS = `:host{display:contents}
.badge{display:inline-flex;align-items:center;justify-content:center;min-width:20px;height:20px;padding:0 6px;border-radius:10px;
background:var(--crowd-accent);color:#fff;font-size:12px;font-weight:700;line-height:1;white-space:nowrap;z-index:10;pointer-events:none}
.badge.pinned{position:fixed;transform:translate(-50%,-50%)}
.badge:empty{display:none}
.badge img{width:14px;height:14px;object-fit:contain}`;

  /** An icon element for a name (C.icon) or a URL (an <img>); null for unknown names. */
  function iconOrImage(value) {
    if (!value) return null;
    if (/[/.:]/.test(value)) {
      const img = document.createElement("img");
      img.alt = "";
      img.src = value;
      return img;
    }
    return C.icon(value);
  }
  C.iconOrImage = iconOrImage;

  class CrowdBadgeElement extends C.CrowdElement {
    static get observedAttributes() { return ["for", "icon", "label"]; }

    render(root) {
      C.style(root, CSS);
      root.innerHTML += `<span class="badge" part="badge"></span><slot></slot>`;
      this._badge = root.querySelector(".badge");
      this._content();
    }

    attributeChanged() { this._content(); this._place(); }

    _content() {
      const icon = iconOrImage(this.getAttribute("icon"));
      if (icon) this._badge.replaceChildren(icon);
      else this._badge.textContent = this.getAttribute("icon") ? "" : this.getAttribute("label") || "";
      this._badge.setAttribute("aria-label", this.getAttribute("label") || this.getAttribute("icon") || "");
    }

    /** The element the badge is attached to. */
    get target() {
      const id = this.getAttribute("for");
      if (!id) return null;
      const root = this.getRootNode();
      return (root.getElementById ? root.getElementById(id) : null) || document.getElementById(id);
    }

    _place() {
      const t = this.target, b = this._badge;
      if (!b) return;
      b.classList.toggle("pinned", !!t);
      if (!t) { b.style.left = b.style.top = ""; return; }
      const r = t.getBoundingClientRect();
      b.hidden = !r.width && !r.height;
      b.style.left = `${r.right}px`;
      b.style.top = `${r.top}px`;
    }

    connected(signal) {
      let queued = false;
      const update = () => {
        if (queued) return;
        queued = true;
        requestAnimationFrame(() => { queued = false; this._place(); });
      };
      window.addEventListener("scroll", update, { capture: true, passive: true, signal });
      window.addEventListener("resize", update, { signal });
      const ro = new ResizeObserver(update);
      ro.observe(document.documentElement);
      const t = this.target;
      if (t) ro.observe(t);
      signal.addEventListener("abort", () => ro.disconnect());
      C.onDomReady(() => { const later = this.target; if (later && later !== t) ro.observe(later); update(); });
      this._place();
    }
  }
  C.reflect(CrowdBadgeElement, { for: ["for", "string"], icon: ["icon", "string"], label: ["label", "string"] });

  C.define("crowd-badge", CrowdBadgeElement);
})();

/* 22-card.js: <crowd-card> (spec 5.5): a raised box with an optional heading and image. */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const CSS = `:host{display:block;background:var(--crowd-bg);border-radius:var(--crowd-radius);
box-shadow:0 1px 1px rgba(0,28,36,.3),1px 1px 1px rgba(0,28,36,.15),-1px 1px 1px rgba(0,28,36,.15);overflow:hidden}
.image{display:block;width:100%;height:auto}
.heading{font-size:1.125em;font-weight:600;padding:16px 16px 0}
.body{padding:16px}
[hidden]{display:none}`;

  class CrowdCardElement extends C.CrowdElement {
    static get observedAttributes() { return ["heading", "image"]; }

    render(root) {
      C.style(root, CSS);
      root.innerHTML += `<img class="image" part="image" alt="" hidden><div class="heading" part="heading" hidden></div>
<div class="body" part="content"><slot></slot></div>`;
      this.attributeChanged();
    }

    attributeChanged() {
      const img = this.shadowRoot.querySelector(".image");
      const heading = this.shadowRoot.querySelector(".heading");
      const src = this.getAttribute("image");
      img.hidden = !src;
      if (src) img.src = src;
      else img.removeAttribute("src");
      heading.textContent = this.getAttribute("heading") || "";
      heading.hidden = !heading.textContent;
    }
  }
  C.reflect(CrowdCardElement, { heading: ["heading", "string"], image: ["image", "string"] });

  C.define("crowd-card", CrowdCardElement);
})();

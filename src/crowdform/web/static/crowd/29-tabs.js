/* 29-tabs.js: <crowd-tabs> (5.27) with <crowd-tab header> children (5.26): the first tab selected,
   captions switch tabs (click, arrow keys, Home/End); hidden panels stay in the light DOM, so their
   named controls are still submitted (4.5). A validation error inside a hidden tab opens that tab. */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const TABS_CSS = `:host{display:block;margin:8px 0}
.tablist{display:flex;flex-wrap:wrap;border-bottom:1px solid var(--crowd-line)}
.tab{font:inherit;font-weight:600;color:var(--crowd-muted);background:none;border:none;border-bottom:3px solid transparent;
padding:8px 16px;cursor:pointer;margin-bottom:-1px}
.tab:hover{color:var(--crowd-text)}
.tab[aria-selected=true]{color:var(--crowd-primary);border-bottom-color:var(--crowd-primary)}
.panels{padding:12px 0 0}`;
  const TAB_CSS = `:host{display:block}:host(:not([data-selected])){display:none}`;

  class CrowdTabElement extends C.CrowdElement {
    static get observedAttributes() { return ["header"]; }
    render(root) {
      C.style(root, TAB_CSS);
      root.innerHTML += "<slot></slot>";
      this.setAttribute("role", "tabpanel");
    }
    attributeChanged() {
      const tabs = this.parentElement;
      if (tabs && tabs._captions) tabs._captions();
    }
  }
  C.reflect(CrowdTabElement, { header: ["header", "string"] });

  class CrowdTabsElement extends C.CrowdElement {
    render(root) {
      C.style(root, TABS_CSS);
      root.innerHTML += `<div class="tablist" role="tablist"></div><div class="panels"><slot></slot></div>`;
      this._list = root.querySelector(".tablist");
      this._index = 0;
      new MutationObserver(() => this._captions()).observe(this, { childList: true });
      this._captions();
    }

    get tabs() { return [...this.children].filter((n) => n.localName === "crowd-tab"); }

    /** Index of the selected tab. */
    get selected() { return this._index || 0; }
    set selected(i) { this.select(Number(i)); }

    _captions() {
      const tabs = this.tabs;
      if (this._index >= tabs.length) this._index = 0;
      this._list.replaceChildren(...tabs.map((tab, i) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "tab";
        b.setAttribute("role", "tab");
        b.dataset.index = String(i);
        b.textContent = tab.getAttribute("header") || `Tab ${i + 1}`;
        return b;
      }));
      this._show();
    }

    _show() {
      const buttons = [...this._list.children];
      this.tabs.forEach((tab, i) => {
        tab.toggleAttribute("data-selected", i === this._index);
        const b = buttons[i];
        b.setAttribute("aria-selected", String(i === this._index));
        b.tabIndex = i === this._index ? 0 : -1;
      });
    }

    /** Show tab `i`; fires `change` when it differs from the current one. */
    select(i, focus) {
      const n = this.tabs.length;
      if (!n || !(i >= 0 && i < n)) return;
      const changed = i !== this._index;
      this._index = i;
      if (!this._list) return;
      this._show();
      if (focus) this._list.children[i].focus();
      if (changed) this.dispatchEvent(new Event("change", { bubbles: true }));
    }

    connected(signal) {
      this._list.addEventListener("click", (e) => {
        const b = e.target.closest(".tab");
        if (b) this.select(Number(b.dataset.index));
      }, { signal });
      this._list.addEventListener("keydown", (e) => {
        const n = this.tabs.length, i = this._index;
        const to = { ArrowRight: i + 1, ArrowLeft: i - 1 + n, Home: 0, End: n - 1 }[e.key];
        if (to === undefined || !n) return;
        e.preventDefault();
        this.select(to % n, true);
      }, { signal });
    }

    /** Open the tab holding `node` (a descendant); crowd-form calls it for the first invalid control. */
    reveal(node) {
      const i = this.tabs.findIndex((t) => t.contains(node));
      if (i >= 0) this.select(i);
    }
  }

  C.define("crowd-tab", CrowdTabElement);
  C.define("crowd-tabs", CrowdTabsElement);
})();

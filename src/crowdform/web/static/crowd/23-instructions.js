/* 23-instructions.js: <crowd-instructions> (5.16): a link or button opening a dialog with tabs
   Summary (short-summary), Detailed Instructions and Examples (positive-/negative-example). */
(() => {
  "use strict";
  const C = window.CrowdCore;
  const TABS = ["Summary", "Detailed Instructions", "Examples"];

  const CSS = `:host{display:inline-block}
.tabs{display:flex;gap:4px;border-bottom:1px solid var(--crowd-line);padding:0 16px}
.tab{font:inherit;border:none;background:none;padding:10px 12px;cursor:pointer;color:var(--crowd-muted);border-bottom:3px solid transparent;margin-bottom:-1px}
.tab[aria-selected=true]{color:var(--crowd-primary);border-bottom-color:var(--crowd-primary);font-weight:600}
.examples h3{font-size:1em;margin:0 0 8px}.examples section+section{margin-top:16px}
.good h3{color:var(--crowd-success)}.bad h3{color:var(--crowd-error)}
::slotted(positive-example),::slotted(negative-example){display:block;padding:8px 12px;margin:0 0 8px;border-left:4px solid var(--crowd-line);background:var(--crowd-panel)}
::slotted(positive-example){border-left-color:var(--crowd-success)}
::slotted(negative-example){border-left-color:var(--crowd-error)}
[hidden]{display:none!important}`;

  class CrowdInstructionsElement extends C.CrowdElement {
    static get shadowOptions() { return { slotAssignment: "manual" }; }
    static get observedAttributes() { return ["link-text", "link-type"]; }

    render(root) {
      C.style(root, CSS);
      root.innerHTML += `<span class="trigger"></span>
<dialog class="awsui-modal-dialog" aria-label="Instructions"><div class="modal-head"><h2>Instructions</h2>
<button type="button" class="modal-close" aria-label="Close">\u00d7</button></div>
<div class="tabs" role="tablist">${TABS.map((t, i) => `<button type="button" class="tab" role="tab" id="tab${i}" aria-controls="panel${i}">${t}</button>`).join("")}</div>
<div class="modal-body">
<div role="tabpanel" id="panel0" aria-labelledby="tab0"><slot name="short-summary" data-region="short-summary short-instructions"></slot></div>
<div role="tabpanel" id="panel1" aria-labelledby="tab1"><slot name="detailed-instructions" data-region="detailed-instructions full-instructions"></slot></div>
<div role="tabpanel" id="panel2" aria-labelledby="tab2" class="examples">
<section class="good"><h3>Good examples</h3><slot name="positive-example" data-region="positive-example"></slot></section>
<section class="bad"><h3>Bad examples</h3><slot name="negative-example" data-region="negative-example"></slot></section></div>
</div></dialog>`;
      this._dialog = root.querySelector("dialog");
      this.attributeChanged();
      C.watchRegions(this, () => {
        root.querySelector(".good").hidden = !this.querySelector(":scope > positive-example");
        root.querySelector(".bad").hidden = !this.querySelector(":scope > negative-example");
      });
      this.select(0);
    }

    attributeChanged() {
      const text = this.getAttribute("link-text") || "Click for instructions";
      const trigger = this.getAttribute("link-type") === "button" ? document.createElement("crowd-button") : document.createElement("a");
      if (trigger.localName === "a") { trigger.href = "#"; trigger.setAttribute("role", "button"); }
      trigger.className = "open";
      trigger.textContent = text;
      this.shadowRoot.querySelector(".trigger").replaceChildren(trigger);
    }

    /** Show tab `index` (0 Summary, 1 Detailed Instructions, 2 Examples). */
    select(index) {
      const root = this.shadowRoot;
      root.querySelectorAll(".tab").forEach((t, i) => {
        t.setAttribute("aria-selected", String(i === index));
        t.tabIndex = i === index ? 0 : -1;
      });
      root.querySelectorAll("[role=tabpanel]").forEach((p, i) => { p.hidden = i !== index; });
    }

    open() { if (!this._dialog.open) this._dialog.showModal(); }
    close() { this._dialog.close(); }

    connected(signal) {
      const root = this.shadowRoot;
      const on = (el, type, fn) => el.addEventListener(type, fn, { signal });
      on(root.querySelector(".trigger"), "click", (e) => { e.preventDefault(); this.open(); });
      on(root.querySelector(".modal-close"), "click", () => this.close());
      on(this._dialog, "click", (e) => { if (e.target === this._dialog) this.close(); });
      const tabs = [...root.querySelectorAll(".tab")];
      tabs.forEach((t, i) => on(t, "click", () => this.select(i)));
      on(root.querySelector(".tabs"), "keydown", (e) => {
        const i = tabs.indexOf(root.activeElement);
        const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
        if (i < 0 || !step) return;
        const next = (i + step + tabs.length) % tabs.length;
        this.select(next);
        tabs[next].focus();
        e.preventDefault();
      });
    }
  }
  C.reflect(CrowdInstructionsElement, { linkText: ["link-text", "string", "Click for instructions"], linkType: ["link-type", "string", "link"] });

  C.define("crowd-instructions", CrowdInstructionsElement);
})();

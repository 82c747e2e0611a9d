/* 31-text-area.js: <crowd-text-area> (5.28): grows from rows to max-rows; line breaks as \n. */
(() => {
  "use strict";
  const C = window.CrowdCore;
  const LINE = 20; // px, the textarea's line-height in the shared field CSS
  const CHROME = 14; // px of padding and border around the lines

  class CrowdTextAreaElement extends C.TextFieldElement {
    _control() { return document.createElement("textarea"); }

    _sync() {
      super._sync();
      this._c.rows = Math.max(1, C.parseNumber(this.getAttribute("rows"), 1));
      this._grow();
    }

    /** Grow with the content between `rows` and `max-rows`, then scroll. */
    _grow() {
      const c = this._c;
      const rows = Math.max(1, C.parseNumber(this.getAttribute("rows"), 1));
      const maxRows = C.parseNumber(this.getAttribute("max-rows"), 0);
      c.style.height = "auto";
      const needed = c.scrollHeight + 2;
      if (needed <= 2) { c.style.height = ""; return; }
      const max = maxRows > 0 ? Math.max(maxRows, rows) * LINE + CHROME : Infinity;
      c.style.height = `${Math.max(rows * LINE + CHROME, Math.min(needed, max))}px`;
      c.style.overflowY = needed > max ? "auto" : "hidden";
    }

    connected(signal) {
      super.connected(signal);
      if (!this._grown) { this._grown = true; requestAnimationFrame(() => this._grow()); }
    }
  }
  C.reflect(CrowdTextAreaElement, { rows: ["rows", "number", 1], maxRows: ["max-rows", "number"], charCounter: ["char-counter", "bool"] });

  C.define("crowd-text-area", CrowdTextAreaElement);
})();

/* 72-text-ranking.js: <crowd-text-ranking> (7.1): rank `responses` to the prompt `text` on each of
   `ordinal-ranking-dimensions`; answer at the top level (Q 22):
   {"ordinalRankingDimensions": [{"name", "responseRankings": [rank of response i, 1 = best]}]}. */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const CSS = `.prompt{white-space:pre-wrap;padding:12px;background:var(--crowd-panel);border:1px solid var(--crowd-line);border-radius:var(--crowd-radius);margin:0 0 16px}
.dim{margin:0 0 16px}.dim h3{margin:0 0 8px;font-size:1em}.tie{font-weight:400;color:var(--crowd-muted);font-size:.875em}
.row{display:flex;gap:12px;align-items:flex-start;padding:8px 0;border-top:1px solid var(--crowd-line)}
.resp{flex:1;white-space:pre-wrap;min-width:0}.ranks{display:flex;gap:4px;flex:none}
.rank{font:inherit;min-width:2.2em;padding:4px;border:1px solid var(--crowd-border);border-radius:3px;background:var(--crowd-bg);cursor:pointer}
.rank[aria-checked=true]{background:var(--crowd-primary);border-color:var(--crowd-primary);color:#fff}`;

  class CrowdTextRankingElement extends C.CrowdElement {
    static get observedAttributes() { return ["text", "responses", "ordinal-ranking-dimensions"]; }

    render(root) {
      C.style(root, C.TOOL_CSS, CSS);
      this._box = C.toolLayout(root, this, { header: "" });
      this._draw();
    }

    attributeChanged() { this._draw(); }

    get responses() { return (C.readAttribute(this, "responses") || []).map(String); }
    get dimensions() {
      return (C.readAttribute(this, "ordinal-ranking-dimensions") || [])
        .map((d) => (d && typeof d === "object" ? { name: String(d.name ?? ""), allowTie: !!d.allowTie } : { name: String(d), allowTie: false }));
    }

    _draw() {
      const resp = this.responses, dims = this.dimensions;
      this._ranks = dims.map(() => resp.map(() => null));
      const box = this._box;
      box.innerHTML = '<div class="prompt"></div>';
      box.firstChild.textContent = this.getAttribute("text") || "";
      box.firstChild.hidden = !this.getAttribute("text");
      dims.forEach((d, di) => {
        const sec = box.appendChild(document.createElement("section"));
        sec.className = "dim";
        sec.innerHTML = `<h3></h3>`;
        sec.firstChild.textContent = d.name + " ";
        sec.firstChild.append(Object.assign(document.createElement("span"), { className: "tie", textContent: d.allowTie ? "(ties allowed)" : "" }));
        resp.forEach((r, ri) => {
          const row = sec.appendChild(document.createElement("div"));
          row.className = "row";
          row.innerHTML = `<div class="resp"></div><div class="ranks" role="radiogroup"></div>`;
          row.firstChild.textContent = r;
          row.lastChild.setAttribute("aria-label", `${d.name}: rank of response ${ri + 1}`);
          for (let k = 1; k <= resp.length; k++) {
            const b = row.lastChild.appendChild(document.createElement("button"));
            Object.assign(b, { type: "button", className: "rank", textContent: String(k) });
            b.setAttribute("role", "radio");
            b.dataset.d = di; b.dataset.r = ri; b.dataset.k = k;
          }
        });
      });
      box.insertAdjacentHTML("beforeend", '<p class="crowd-error" role="alert"></p>');
      box.onclick = (e) => {
        const b = e.target.closest(".rank");
        if (b) this._rank(+b.dataset.d, +b.dataset.r, +b.dataset.k);
      };
      this._marks();
    }

    /** Give response r rank k on dimension d; without ties, a response holding k loses it. */
    _rank(d, r, k) {
      const ranks = this._ranks[d];
      if (!this.dimensions[d].allowTie) ranks.forEach((v, i) => { if (v === k && i !== r) ranks[i] = null; });
      ranks[r] = k;
      this._marks();
      if (this.hasAttribute("data-invalid")) this.setError(null);
      this.dispatchEvent(new Event("change", { bubbles: true }));
    }

    _marks() {
      for (const b of this._box.querySelectorAll(".rank")) b.setAttribute("aria-checked", String(this._ranks[b.dataset.d][b.dataset.r] === +b.dataset.k));
    }

    /** {ordinalRankingDimensions: [...]}, the object the form puts at the top level of the answer. */
    get value() {
      return { ordinalRankingDimensions: this.dimensions.map((d, i) => ({ name: d.name, responseRankings: (this._ranks || [])[i] ? this._ranks[i].slice() : [] })) };
    }

    // The element's own `name` gets nothing: a hidden field named ordinalRankingDimensions answers.
    get _submittableValue() { return undefined; }

    connected() { C.answerField(this, "ordinalRankingDimensions", () => this.value.ordinalRankingDimensions); }

    validate() {
      const dims = this.dimensions;
      const miss = dims.findIndex((d, i) => this._ranks[i].some((v) => v == null));
      return miss < 0 ? null : `Rank every response for "${dims[miss].name}".`;
    }

    focus(o) { const b = this._box && this._box.querySelector(".rank"); if (b) b.focus(o); else super.focus(o); }

    _reset() { this._ranks = this._ranks.map((r) => r.map(() => null)); this._marks(); }
  }

  C.define("crowd-text-ranking", CrowdTextRankingElement);
})();

/* 70-textract-analyze-document.js: C.answerField (answers under a fixed key, 6, 7.1) and
   <crowd-textract-analyze-document> (6.1). */
(() => {
  "use strict";
  const C = window.CrowdCore;

  /** A hidden light-DOM child of `host` named `key` whose answer is get(): how elements without a
      `name` (A2I, fixed key) or answering at the top level (text ranking) reach crowd-form (4.5). */
  C.answerField = (host, key, get) => {
    let f = host.querySelector(":scope > data[data-answer-field]");
    if (!f) {
      f = document.createElement("data");
      f.hidden = true;
      f.dataset.answerField = "";
      host.append(f);
    }
    f.setAttribute("name", key);
    Object.defineProperty(f, "_submittableValue", { configurable: true, get });
    return f;
  };
})();

/* <crowd-textract-analyze-document> (6.1) on the shared image tool (50): the KEY_VALUE_SET pairs of
   `initial-value` listed beside the document; a pair shows its key/value boxes, its texts can be
   corrected, it can be rejected ("No": dropped, Q 20) or its value marked blank, and its boxes redrawn
   (unless `no-geometry-edit`); `keys` not found among the pairs can be added as new pairs.
   Answer: {"AWS/Textract/AnalyzeDocument/Forms/V1": {"blocks": [every block, edits applied]}}. */
(() => {
  "use strict";
  const C = window.CrowdCore, T = window.CrowdImageTool;
  if (!T || !C.answerField) return;
  const { ImageToolElement, el, clamp } = T;
  const KEY = "AWS/Textract/AnalyzeDocument/Forms/V1";
  const CSS = `.it-side{width:340px}.it-side>h3:first-child,.it-labels{display:none}
.tx-pair{border:1px solid var(--crowd-line);border-radius:3px;padding:6px;margin:0 0 6px;cursor:pointer}
.tx-pair[aria-selected=true]{border-color:var(--crowd-accent);box-shadow:inset 3px 0 var(--crowd-accent)}
.tx-pair.rejected .tx-fields{opacity:.45}
.tx-fields label{display:flex;gap:6px;align-items:center;margin:0 0 4px!important;font-size:12px}
.tx-fields input{flex:1;min-width:0;font:inherit;padding:2px 4px;border:1px solid var(--crowd-border);border-radius:2px}
.tx-acts{display:flex;flex-wrap:wrap;gap:4px;font-size:12px}.tx-acts button{padding:1px 6px!important}
.tx-missing{display:flex;justify-content:space-between;align-items:center;gap:6px;margin:0 0 4px;font-size:12px}`;
  const isType = (b, t) => b && Array.isArray(b.entityTypes) && b.entityTypes.includes(t);
  const related = (b, type) => ((b && b.relationships) || []).filter((r) => r && r.type === type).flatMap((r) => r.ids || []);
  const fresh = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`);
  const r6 = (x) => Math.round(x * 1e6) / 1e6;
  const geom = (r) => ({ boundingBox: { width: r6(r.x1 - r.x0), height: r6(r.y1 - r.y0), left: r.x0, top: r.y0 },
    polygon: [{ x: r.x0, y: r.y0 }, { x: r.x1, y: r.y0 }, { x: r.x1, y: r.y1 }, { x: r.x0, y: r.y1 }] });

  class CrowdTextractElement extends ImageToolElement {
    static get observedAttributes() { return [...super.observedAttributes, "keys"]; }

    _tools() {
      return [{ id: "select", text: "Select", title: "Select a pair on the document (S)", key: "s" },
        { id: "key-box", text: "Key box", title: "Redraw the selected key's box (K)", key: "k" },
        { id: "value-box", text: "Value box", title: "Redraw the selected value's box (V)", key: "v" }];
    }

    _sideControls() {
      C.style(this.shadowRoot, CSS);
      this._list = el("div", { class: "tx-pairs", role: "listbox", "aria-label": "Key-value pairs" });
      this._missing = el("div", { class: "tx-keys" });
      this._list.addEventListener("click", (e) => this._listClick(e));
      this._list.addEventListener("input", (e) => {
        const p = this._pairs[+e.target.closest(".tx-pair").dataset.i];
        const b = e.target.name === "key" ? p.key : p.value;
        if (b) { b.text = e.target.value; this._modified = true; }
      });
      return [el("h3", { text: "Key-value pairs" }), this._list, el("h3", { class: "tx-keys-h", text: "Keys to find" }), this._missing];
    }

    attributeChanged(name) { if (name === "keys") this._renderPairs(); else super.attributeChanged(name); }

    _readInitialValue(value) {
      const blocks = Array.isArray(value) ? value : value && Array.isArray(value.blocks) ? value.blocks : [];
      this._blocks = JSON.parse(JSON.stringify(blocks.filter((b) => b && typeof b === "object")));
      const byId = new Map(this._blocks.map((b) => [b.id, b]));
      const words = (b) => related(b, "CHILD").map((id) => byId.get(id)).filter((w) => w && w.text != null).map((w) => w.text).join(" ");
      for (const b of this._blocks) if (b.blockType === "KEY_VALUE_SET" && b.text == null) b.text = words(b);
      this._pairs = this._blocks.filter((b) => b.blockType === "KEY_VALUE_SET" && isType(b, "KEY"))
        .map((key) => ({ key, value: related(key, "VALUE").map((id) => byId.get(id)).find(Boolean) || null, rejected: false }));
      this._sel = this._pairs.length ? 0 : -1;
      this._op = null;
      this._renderPairs();
    }

    /** Keys of `keys` whose name and aliases match no pair's key text (case and spaces ignored). */
    _missingKeys() {
      const norm = (s) => String(s).toLowerCase().replace(/[\s:]+/g, " ").trim();
      const have = new Set(this._pairs.filter((p) => !p.rejected).map((p) => norm(p.key.text || "")));
      const keys = C.readAttribute(this, "keys");
      return (Array.isArray(keys) ? keys : []).filter((k) => k && k.importantFormKey != null)
        .filter((k) => ![k.importantFormKey, ...(k.importantFormKeyAliases || [])].some((a) => have.has(norm(a))));
    }

    _renderPairs() {
      if (!this._list) return;
      const noKey = this.hasAttribute("no-key-edit");
      this._list.replaceChildren(...this._pairs.map((p, i) => {
        const field = (name, b, locked) => {
          const input = el("input", { type: "text", name, "aria-label": name === "key" ? "Key" : "Value", disabled: locked || p.rejected || !b });
          input.value = b ? b.text || "" : "";
          return el("label", {}, name === "key" ? "Key" : "Value", input);
        };
        return el("div", { class: "tx-pair" + (p.rejected ? " rejected" : ""), role: "option", "data-i": i, "aria-selected": String(i === this._sel) },
          el("div", { class: "tx-fields" }, field("key", p.key, noKey && !p.added), field("value", p.value, false)),
          el("div", { class: "tx-acts" },
            el("button", { type: "button", class: "tx-reject", "aria-pressed": String(p.rejected), title: "Not a key-value pair" }, "No"),
            el("button", { type: "button", class: "tx-blank", disabled: p.rejected || !p.value, title: "The value is blank" }, "Value is blank")));
      }));
      const missing = this._missingKeys();
      this._missing.replaceChildren(...missing.map((k) => el("div", { class: "tx-missing" }, el("span", { text: k.importantFormKey }),
        el("button", { type: "button", class: "tx-add", onclick: () => this._addKey(k.importantFormKey) }, "Add"))));
      this.shadowRoot.querySelector(".tx-keys-h").hidden = !missing.length;
    }

    _listClick(e) {
      const row = e.target.closest(".tx-pair");
      if (!row) return;
      const i = +row.dataset.i, p = this._pairs[i];
      if (e.target.closest(".tx-reject")) p.rejected = !p.rejected;
      else if (e.target.closest(".tx-blank")) p.value.text = "";
      else { this._select(i); return; }
      this._sel = i;
      this._modified = true;
      this._renderPairs();
      this._requestDraw();
      const input = this._list.querySelector(`.tx-pair[data-i="${i}"] input[name=value]`);
      if (e.target.closest(".tx-blank") && input) input.focus();
    }

    _select(i) {
      this._sel = i;
      for (const r of this._list.children) r.setAttribute("aria-selected", String(+r.dataset.i === i));
      this._requestDraw();
    }

    /** A reviewer-added key (from `keys`): new KEY and VALUE blocks with fresh ids (Q 20). */
    _addKey(text) {
      const value = { blockType: "KEY_VALUE_SET", id: fresh(), entityTypes: ["VALUE"], text: "" };
      const key = { blockType: "KEY_VALUE_SET", id: fresh(), relationships: [{ type: "VALUE", ids: [value.id] }], entityTypes: ["KEY"], text };
      this._blocks.push(key, value);
      this._pairs.push({ key, value, rejected: false, added: true });
      this._sel = this._pairs.length - 1;
      this._modified = true;
      this._renderPairs();
      this._requestDraw();
      this._list.querySelector(`.tx-pair[data-i="${this._sel}"] input[name=value]`).focus();
    }

    _rect(b) {
      const g = b && b.geometry, bb = g && g.boundingBox, n = this._natural;
      if (!bb || !n) return null;
      const h = bb.height ?? bb.weight;
      return [bb.left * n.width, bb.top * n.height, bb.width * n.width, h * n.height].every(Number.isFinite)
        ? { x: bb.left * n.width, y: bb.top * n.height, w: bb.width * n.width, h: h * n.height } : null;
    }

    _drawOverlay(ctx) {
      const v = this._view;
      this._pairs.forEach((p, i) => {
        if (p.rejected) return;
        for (const [b, color] of [[p.key, "#0073bb"], [p.value, "#1d8102"]]) {
          const r = this._rect(b);
          if (!r) continue;
          ctx.strokeStyle = ctx.fillStyle = i === this._sel ? "#ec7211" : color;
          ctx.lineWidth = i === this._sel ? 3 : 1.5;
          ctx.strokeRect(r.x * v.s + v.tx, r.y * v.s + v.ty, r.w * v.s, r.h * v.s);
          if (i === this._sel) { ctx.globalAlpha = 0.15; ctx.fillRect(r.x * v.s + v.tx, r.y * v.s + v.ty, r.w * v.s, r.h * v.s); ctx.globalAlpha = 1; }
        }
      });
      const o = this._op;
      if (o) { ctx.strokeStyle = "#ec7211"; ctx.lineWidth = 2; ctx.setLineDash([5, 3]); ctx.strokeRect(...this.toScreen(o.x0, o.y0), (o.x1 - o.x0) * v.s, (o.y1 - o.y0) * v.s); ctx.setLineDash([]); }
    }

    _down(p) {
      if (this._tool === "select") {
        const hit = this._pairs.findIndex((q) => !q.rejected && [q.key, q.value].some((b) => { const r = this._rect(b); return r && p.x >= r.x && p.x <= r.x + r.w && p.y >= r.y && p.y <= r.y + r.h; }));
        if (hit >= 0) this._select(hit);
        return;
      }
      const pair = this._pairs[this._sel];
      this._setStatus("");
      if (!pair || pair.rejected || (this.hasAttribute("no-geometry-edit") && !pair.added)) { this._setStatus("Select a pair you may edit first."); return; }
      const q = this._clampPoint(p);
      this._op = { x0: q.x, y0: q.y, x1: q.x, y1: q.y, ax: q.x, ay: q.y };
    }

    _move(p) {
      const o = this._op;
      if (!o) return;
      const q = this._clampPoint(p);
      Object.assign(o, { x0: Math.min(o.ax, q.x), x1: Math.max(o.ax, q.x), y0: Math.min(o.ay, q.y), y1: Math.max(o.ay, q.y) });
      this._requestDraw();
    }

    _up(p) {
      this._move(p);
      const o = this._op, pair = this._pairs[this._sel];
      this._op = null;
      const b = pair && (this._tool === "key-box" ? pair.key : pair.value);
      if (!o || !b || o.x1 - o.x0 < 1 || o.y1 - o.y0 < 1) { this._requestDraw(); return; }
      const n = this._natural, r = (x, d) => r6(clamp(x / d, 0, 1));
      const before = b.geometry, after = geom({ x0: r(o.x0, n.width), y0: r(o.y0, n.height), x1: r(o.x1, n.width), y1: r(o.y1, n.height) });
      const set = (g) => { if (g === undefined) delete b.geometry; else b.geometry = g; };
      set(after);
      this._commit({ undo: () => set(before), redo: () => set(after) });
    }

    _cancelOp() { const had = !!this._op; this._op = null; return had; }

    get blocks() {
      const drop = new Set(this._pairs.filter((p) => p.rejected).flatMap((p) => [p.key, p.value]));
      return JSON.parse(JSON.stringify(this._blocks.filter((b) => !drop.has(b))));
    }
    get value() { return this._it ? { blocks: this.blocks } : undefined; }
    get _submittableValue() { return undefined; }

    connected(signal) {
      super.connected(signal);
      C.answerField(this, KEY, () => this.value);
    }
  }

  C.define("crowd-textract-analyze-document", CrowdTextractElement);
})();

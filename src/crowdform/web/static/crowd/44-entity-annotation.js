/* 44-entity-annotation.js: <crowd-entity-annotation> (5.9): label character spans of `text` with the
   mouse (drag, double-click a word) and keys 1-9; relabel or remove a highlight; overlapping spans.
   Standalone it renders its own <crowd-form> in its shadow root (`.form` takes extra questions) and a
   Submit button; inside a crowd-form it is an ordinary tool (Q 26). Answer {"entities": [...]} with
   UTF-16 offsets, end exclusive, sorted by start, end, label order (Q 14, Q 18). */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const CSS = `.ea-labels{display:flex;flex-wrap:wrap;gap:6px;margin-bottom:8px}
.ea-label{font:inherit;display:inline-flex;align-items:center;gap:6px;padding:4px 10px;border:1px solid var(--crowd-border);border-radius:16px;background:var(--crowd-bg);cursor:pointer}
.ea-label:hover{background:#f2f3f3}
.ea-label[aria-pressed=true]{border-color:var(--crowd-primary);background:var(--crowd-primary-light);box-shadow:0 0 0 1px var(--crowd-primary)}
.ea-label .swatch{width:12px;height:12px;border-radius:2px}
.ea-label .key{font-size:.75em;color:var(--crowd-muted);border:1px solid var(--crowd-line);border-radius:3px;padding:0 4px}
.ea-hint{color:var(--crowd-muted);font-size:.875em;margin:0 0 4px;min-height:1.3em}
.ea-text{white-space:pre-wrap;overflow-wrap:anywhere;line-height:2.6;font-size:1.05em;padding:8px 4px;border:1px solid var(--crowd-line);border-radius:var(--crowd-radius);user-select:none;-webkit-user-select:none;cursor:text}
.c{position:relative}
.c.pending{background:#b4d5fe}
.c.sel{outline:2px solid var(--crowd-text);outline-offset:0}
.tags{position:absolute;left:0;bottom:78%;display:flex;gap:2px;line-height:1;white-space:nowrap;z-index:1}
.tag{display:inline-flex;align-items:center;gap:2px;color:#fff;font-size:10px;font-weight:600;padding:1px 3px;border-radius:2px;cursor:pointer}
.tag .x{font:inherit;border:none;background:none;color:inherit;padding:0 1px;cursor:pointer;line-height:1}
.ea-extra{margin-top:12px}
crowd-form{display:block}`;

  const WORD = /[\p{L}\p{N}\p{M}_'\u2019-]/u;

  /** Label objects {label, full, short} from strings or {label, fullDisplayName|longDisplayName, shortDisplayName}. */
  function normalizeLabels(value) {
    const out = [];
    for (const item of Array.isArray(value) ? value : []) {
      const o = item !== null && typeof item === "object" ? item : { label: item };
      if (o.label == null || out.some((l) => l.label === String(o.label))) continue;
      const label = String(o.label);
      out.push({ label, full: String(o.fullDisplayName ?? o.longDisplayName ?? label), short: String(o.shortDisplayName ?? label) });
    }
    return out;
  }

  class CrowdEntityAnnotationElement extends C.CrowdElement {
    static get shadowOptions() { return { slotAssignment: "manual" }; }
    static get upgradeProps() { return ["labels"]; }
    static get observedAttributes() { return ["labels", "text", "initial-value", "name"]; }

    render(root) {
      C.style(root, CSS);
      this._nested = !!C.enclosingForm(this);
      const content = C.toolLayout(root, this, { submit: !this._nested });
      const ui = `<div class="ea"><div class="ea-labels" role="toolbar" aria-label="Labels"></div>
<p class="ea-hint" aria-live="polite"></p><div class="ea-text" part="text"></div><p class="crowd-error" role="alert"></p></div>`;
      if (this._nested) content.innerHTML = ui;
      else {
        // Our own crowd-form (5.9): the text UI, a slot for other children, the answer proxy.
        content.innerHTML = `<crowd-form>${ui}<div class="ea-extra"><slot data-region="*"></slot></div>
<span class="ea-value" hidden></span><crowd-button form-action="submit" hidden></crowd-button></crowd-form>`;
        const proxy = content.querySelector(".ea-value");
        Object.defineProperty(proxy, "_submittableValue", { get: () => this.answer() });
        this._proxy = proxy;
      }
      // The tool's own slot for "other" children sits in the inner form: drop the layout's one.
      const extra = root.querySelector(".tool-extra slot");
      if (!this._nested && extra) extra.remove();
      this._$labels = root.querySelector(".ea-labels");
      this._$text = root.querySelector(".ea-text");
      this._$hint = root.querySelector(".ea-hint");
      this._active = null;
      this._selected = null;
      this._pending = null;
      this._buildLabels();
      this._buildText();
      this._initial();
      this._name();
      C.slotRegions(this);
    }

    attributeChanged(name) {
      if (name === "labels") { this._labels = undefined; this._buildLabels(); this._mark(); }
      else if (name === "text") { this._buildText(); this._entities = this._entities.filter((e) => e.end <= this.text.length); this._mark(); }
      else if (name === "initial-value") this._initial();
      else if (name === "name") this._name();
    }

    _name() { if (this._proxy) this._proxy.setAttribute("name", this.getAttribute("name") || ""); }

    /** The text to annotate, verbatim (2.2). */
    get text() { return this.getAttribute("text") ?? ""; }
    set text(v) { this.setAttribute("text", v == null ? "" : String(v)); }

    get labels() {
      if (this._labels) return this._labelsRaw.slice();
      const v = C.readAttribute(this, "labels");
      return Array.isArray(v) ? v : [];
    }
    set labels(value) {
      this._labelsRaw = Array.isArray(value) ? value.slice() : [];
      this._labels = normalizeLabels(this._labelsRaw);
      if (this._$labels) { this._buildLabels(); this._mark(); }
    }
    get _labelList() { return this._labels || normalizeLabels(C.readAttribute(this, "labels")); }

    /** The form whose contents are submitted (standalone), as on crowd-form. */
    get form() { const f = this.shadowRoot && this.shadowRoot.querySelector("crowd-form"); return f ? f.form : null; }

    _initial() {
      const text = this.text;
      const init = C.readAttribute(this, "initial-value");
      this._entities = [];
      for (const e of Array.isArray(init) ? init : []) {
        const s = Number(e && e.startOffset), t = Number(e && e.endOffset);
        if (!e || e.label == null || !Number.isInteger(s) || !Number.isInteger(t) || s < 0 || t <= s || t > text.length) continue;
        this._add(String(e.label), s, t);
      }
      this._initialEntities = this._entities.map((e) => ({ ...e }));
      this._selected = this._pending = null;
      this._mark();
    }

    _buildLabels() {
      const list = this._labelList;
      if (this._active != null && this._active >= list.length) this._active = null;
      this._$labels.replaceChildren(...list.map((l, i) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "ea-label";
        b.dataset.index = String(i);
        b.innerHTML = `<span class="swatch"></span><span class="text"></span>${i < 9 ? `<span class="key">${i + 1}</span>` : ""}`;
        b.firstChild.style.background = this._color(l.label);
        b.children[1].textContent = l.full;
        b.title = l.label;
        return b;
      }));
    }

    _color(label) {
      const i = this._labelList.findIndex((l) => l.label === label);
      return i < 0 ? "#7f7f7f" : C.PALETTE[i % C.PALETTE.length];
    }

    /** One span per code point (data-s: UTF-16 offset), so offsets come straight from the DOM. */
    _buildText() {
      const text = this.text;
      const frag = document.createDocumentFragment();
      this._chars = [];
      let i = 0;
      for (const ch of text) {
        const span = document.createElement("span");
        span.className = "c";
        span.dataset.s = String(i);
        span.textContent = ch;
        frag.append(span);
        this._chars.push({ s: i, e: i + ch.length, el: span });
        i += ch.length;
      }
      this._$text.replaceChildren(frag);
    }

    _charAt(node) {
      const el = node && node.closest && node.closest(".c");
      return el ? this._chars.find((c) => c.el === el) : null;
    }

    _add(label, start, end) {
      if (this._entities.some((e) => e.label === label && e.start === start && e.end === end)) return null;
      const e = { label, start, end, id: (this._ids = (this._ids || 0) + 1) };
      this._entities.push(e);
      return e;
    }

    /** Redraw highlights, tags, the pending range, the selection, the labels' state and the hint. */
    _mark() {
      if (!this._chars) return;
      const ents = this._sorted();
      const short = (e) => { const l = this._labelList.find((x) => x.label === e.label); return l ? l.short : e.label; };
      for (const c of this._chars) {
        const cover = ents.filter((e) => e.start < c.e && e.end > c.s);
        const el = c.el;
        const bg = cover.length ? `${this._color(cover[cover.length - 1].label)}55` : "";
        const line = cover.length > 1 ? `inset 0 -3px ${this._color(cover[0].label)}` : "";
        const pending = !!this._pending && c.s >= this._pending[0] && c.e <= this._pending[1];
        const sel = !!this._selected && c.s >= this._selected.start && c.e <= this._selected.end;
        const starts = ents.filter((e) => e.start === c.s);
        // Touch the DOM only where something changed (long texts, redrawn on every pointer move).
        const key = `${bg}|${line}|${pending}|${sel}|${starts.map((e) => `${e.id}:${e.label}:${short(e)}`).join()}`;
        if (c.key === key) continue;
        c.key = key;
        el.style.background = bg;
        el.style.boxShadow = line;
        el.classList.toggle("pending", pending);
        el.classList.toggle("sel", sel);
        let tags = el.querySelector(".tags");
        if (!starts.length) { if (tags) tags.remove(); continue; }
        if (!tags) { tags = document.createElement("span"); tags.className = "tags"; el.append(tags); }
        tags.replaceChildren(...starts.map((e) => {
          const t = document.createElement("span");
          t.className = "tag";
          t.style.background = this._color(e.label);
          const l = this._labelList.find((x) => x.label === e.label);
          t.textContent = short(e);
          t.title = `${l ? l.full : e.label}: ${this.text.slice(e.start, e.end)}`;
          const x = document.createElement("button");
          x.type = "button";
          x.className = "x";
          x.textContent = "\u00d7";
          x.setAttribute("aria-label", `Remove ${e.label}`);
          t.append(x);
          t._entity = e;
          return t;
        }));
      }
      [...this._$labels.children].forEach((b, i) => {
        const l = this._labelList[i];
        b.setAttribute("aria-pressed", String(this._selected ? this._selected.label === l.label : this._active === i));
      });
      this._$hint.textContent = this._selected
        ? `Selected "${this.text.slice(this._selected.start, this._selected.end)}": pick a label to change it, Delete to remove it.`
        : this._pending ? "Pick a label for the highlighted text."
        : this._active != null ? "Highlight text to label it." : "Choose a label, then highlight text.";
    }

    _sorted() {
      const order = (l) => { const i = this._labelList.findIndex((x) => x.label === l); return i < 0 ? 1e9 : i; };
      return this._entities.slice().sort((a, b) => a.start - b.start || a.end - b.end || order(a.label) - order(b.label));
    }

    _changed() {
      this._mark();
      if (this.hasAttribute("data-invalid")) this.setError(null);
      this.dispatchEvent(new Event("change", { bubbles: true }));
    }

    /** Label i chosen (button or key): relabel the selection, label the pending range, or arm it. */
    _pick(i) {
      const l = this._labelList[i];
      if (!l) return;
      const sel = this._selected;
      if (sel) {
        if (sel.label === l.label) return;
        const dup = this._entities.find((e) => e !== sel && e.label === l.label && e.start === sel.start && e.end === sel.end);
        if (dup) { this._entities.splice(this._entities.indexOf(sel), 1); this._selected = dup; }
        else sel.label = l.label;
        this._changed();
      } else if (this._pending) {
        this._add(l.label, ...this._pending);
        this._pending = null;
        this._changed();
      } else {
        this._active = this._active === i ? null : i;
        this._mark();
      }
    }

    /** A highlighted range [start, end): select an identical highlight, else label it or keep it pending. */
    _range(start, end) {
      const same = this._entities.filter((e) => e.start === start && e.end === end);
      this._pending = null;
      if (same.length) this._selected = same[0];
      else if (this._active != null) {
        this._selected = null;
        this._add(this._labelList[this._active].label, start, end);
        return this._changed();
      } else { this._selected = null; this._pending = [start, end]; }
      this._mark();
    }

    _remove(e) {
      const i = this._entities.indexOf(e);
      if (i < 0) return;
      this._entities.splice(i, 1);
      if (this._selected === e) this._selected = null;
      this._changed();
    }

    connected(signal) {
      const on = (el, type, fn, opts) => el.addEventListener(type, fn, { signal, ...opts });
      on(this._$labels, "click", (e) => {
        const b = e.target.closest(".ea-label");
        if (b) this._pick(Number(b.dataset.index));
      });
      let drag = null;
      on(this._$text, "pointerdown", (e) => {
        if (e.button !== 0) return;
        const tag = e.target.closest(".tag");
        if (tag) {
          e.preventDefault();
          if (e.target.closest(".x")) this._remove(tag._entity);
          else { this._selected = tag._entity; this._pending = null; this._mark(); }
          return;
        }
        const c = this._charAt(e.target);
        if (!c) return;
        e.preventDefault();
        drag = { a: c, b: c, x: e.clientX, y: e.clientY, moved: false };
      });
      on(this._$text, "pointermove", (e) => {
        if (!drag) return;
        if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 2) drag.moved = true;
        const c = this._charAt(e.target);
        if (!c || !drag.moved) return;
        drag.b = c;
        this._selected = null;
        this._pending = [Math.min(drag.a.s, c.s), Math.max(drag.a.e, c.e)];
        this._mark();
      });
      on(window, "pointerup", () => {
        if (!drag) return;
        const d = drag;
        drag = null;
        if (d.moved) return this._range(Math.min(d.a.s, d.b.s), Math.max(d.a.e, d.b.e));
        // A click: select the shortest highlight under it (cycling through overlapping ones).
        const cover = this._entities.filter((x) => x.start < d.a.e && x.end > d.a.s).sort((x, y) => (x.end - x.start) - (y.end - y.start));
        const at = cover.indexOf(this._selected);
        this._selected = cover.length ? cover[(at + 1) % cover.length] : null;
        this._pending = null;
        this._mark();
      });
      on(this._$text, "dblclick", (e) => {
        const c = this._charAt(e.target);
        if (!c || !WORD.test(c.el.firstChild.data)) return;
        const t = this.text;
        let s = c.s, end = c.e;
        while (s > 0 && WORD.test(t[s - 1])) s--;
        while (end < t.length && WORD.test(t[end])) end++;
        const had = this._entities.length;
        this._range(s, end);
        // The click pair of a double-click on an armed label must not also select.
        if (this._entities.length > had) { this._selected = null; this._mark(); }
      });
      on(document, "keydown", (e) => {
        if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
        if (C.fromEditable(e) || !C.ownsKeys(this, e, C.TOOL_TAGS.join(","))) return;
        if (/^[1-9]$/.test(e.key) && this._labelList[Number(e.key) - 1]) { e.preventDefault(); this._pick(Number(e.key) - 1); }
        else if ((e.key === "Delete" || e.key === "Backspace") && this._selected) { e.preventDefault(); this._remove(this._selected); }
        else if (e.key === "Escape" && (this._selected || this._pending || this._active != null)) {
          this._selected = this._pending = this._active = null;
          this._mark();
        }
      });
    }

    /** The entities, as they are submitted. */
    get entities() {
      return (this._entities ? this._sorted() : []).map((e) => ({ label: e.label, startOffset: e.start, endOffset: e.end }));
    }

    answer() { return { entities: this.entities }; }

    _reset() {
      this._entities = [];
      for (const e of this._initialEntities || []) this._add(e.label, e.start, e.end);
      this._selected = this._pending = null;
      this._mark();
    }

    /** Standalone: submit our inner form (as its Submit button does). */
    submit() { return C.submitEnclosingForm(this); }
  }
  C.reflect(CrowdEntityAnnotationElement, { header: ["header", "string"] });

  C.define("crowd-entity-annotation", CrowdEntityAnnotationElement);
})();

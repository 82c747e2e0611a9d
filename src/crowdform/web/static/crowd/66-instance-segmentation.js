/* 66-instance-segmentation.js: <crowd-instance-segmentation> (spec 5.15). The painting machinery is
   crowd-semantic-segmentation's (61), subclassed: there a mask slot is a label, here a slot is an
   instance {label, color}. Instances take category10 colours in creation order; "Add instance" (N)
   starts a new one under the chosen label, picking another label starts a new one on the next paint,
   clicking an instance in the list continues it, Delete erases the current instance. */
(() => {
  "use strict";
  const { ImageToolElement, PALETTE, el, normalizeColor } = window.CrowdImageTool;
  const Semantic = customElements.get("crowd-semantic-segmentation");
  if (!Semantic) { console.error("crowd-instance-segmentation needs crowd-semantic-segmentation"); return; }
  const MAX_INSTANCES = 255;
  const rgbOf = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

  /** The first palette colour no instance uses, then deterministic scattered colours. */
  function freeColor(used) {
    const p = PALETTE.find((c) => !used.has(c));
    if (p) return p;
    for (let k = 1; ; k++) {
      const c = "#" + ((k * 0x9e3779b1) >>> 8).toString(16).padStart(6, "0").slice(-6);
      if (!used.has(c) && c !== "#000000") return c;
    }
  }

  class CrowdInstanceSegmentationElement extends Semantic {
    _sideControls() {
      this._instList = el("div", { class: "it-labels it-instances", role: "radiogroup", "aria-label": "Instances" });
      const add = el("button", { type: "button", class: "it-add-instance", title: "Add an instance of the chosen label (N)", onclick: () => this._addInstance() }, "Add instance");
      return [el("h3", { text: "Instances" }), add, this._instList, ...super._sideControls()];
    }

    // Label colours are display only (base palette by index); instances carry their own colours.
    _colorFor(label) { return ImageToolElement.prototype._colorFor.call(this, label); }
    _assignColors() {}
    _labelsChanged() {}

    _key(e, key) {
      if (key === "n" && !e.shiftKey) { e.preventDefault(); this._addInstance(); } else super._key(e, key);
    }

    /* -------------------------------------------------------------- initial value */

    /** initial-value {instances: [{color, label}], src}: the instances become slots, in order, as
        the semantic tool's mask loader asks for them (this._locked holds [label, colour] pairs). */
    _readInitialValue(value) {
      this._locked = [];
      this._initial = null;
      if (value !== undefined) {
        const obj = value && typeof value === "object" ? value : {};
        for (const inst of Array.isArray(obj.instances) ? obj.instances : []) {
          const color = normalizeColor(inst && inst.color);
          if (!color) { console.warn(`<${this.localName}>: initial-value instance colour is not #rrggbb; dropped.`, inst); continue; }
          const label = String(inst.label);
          if (this._knownLabel(label)) this._locked.push([label, color]);
        }
        this._initial = { src: typeof obj.src === "string" ? obj.src.trim() : "" };
      }
      this._renderLabels();
      if (this._natural) this._imageReady();
    }

    _imageReady() {
      this._cur = 0;
      super._imageReady();
      this._initQueue = this._maskState === "loading" ? this._locked.map(([label, color]) => ({ label, color })) : null;
      this._renderInstances();
    }

    /* -------------------------------------------------------------- instances */

    /** The slot to paint with `label`: the current instance if it has that label, else a new one
        (while the initial mask loads: the next initial instance). */
    _slotId(label) {
      const q = this._initQueue;
      if (q && q.length && this._maskState === "loading") { const i = q.shift(); return this._newInstance(i.label, i.color, false); }
      const cur = this._slots[this._cur];
      if (cur && cur.label === label) return this._cur;
      return this._newInstance(label, null, true);
    }

    _newInstance(label, color, current) {
      if (this._slots.length > MAX_INSTANCES) { this._setStatus("Too many instances for one mask."); return 0; }
      const id = this._slots.length;
      color = color || freeColor(new Set(this._slots.slice(1).map((s) => s.color)));
      this._slots.push({ label, color, rgb: rgbOf(color) });
      if (current) this._cur = id;
      this._renderInstances();
      return id;
    }

    _addInstance() {
      if (!this._slots) return;
      if (this._currentLabel == null) { this._setStatus("Choose a label first."); return; }
      this._newInstance(this._currentLabel, null, true);
    }

    _labelPicked(label) {
      const cur = this._slots && this._slots[this._cur];
      if (cur && cur.label !== label) { this._cur = 0; this._renderInstances(); }
    }

    _pickInstance(id) {
      this._cur = id;
      this._pickLabel(this._slots[id].label);
      this._renderInstances();
    }

    _renderInstances() {
      const list = this._instList, slots = this._slots || [null];
      if (!list) return;
      if (slots.length < 2) { list.replaceChildren(el("div", { class: "it-empty", text: "No instances" })); return; }
      const n = new Map();
      list.replaceChildren(...slots.slice(1).map((s, i) => {
        const id = i + 1, k = (n.get(s.label) || 0) + 1, empty = !(this._counts[id] > 0);
        n.set(s.label, k);
        return el("button", { type: "button", class: "it-label it-instance", role: "radio", "data-instance": String(id),
          "aria-checked": String(id === this._cur), title: s.color, onclick: () => this._pickInstance(id) },
        el("span", { class: "sw", style: `background:${s.color}` }), el("span", { text: `${s.label} #${k}` }),
        empty ? el("span", { class: "key", text: "empty" }) : null);
      }));
    }

    _afterChange() {
      super._afterChange();
      this._renderInstances();
    }

    /** Delete: the vertex of a polygon in progress, else erase the current instance (undoable). */
    _deleteSelected() {
      if (this._draft) return super._deleteSelected();
      const id = this._cur;
      if (!id || !(this._counts[id] > 0)) return false;
      const { width: W, height: H } = this._natural, mask = this._mask;
      this._stroke = { before: mask.slice(), rect: [0, 0, W - 1, H - 1] };
      for (let k = 0; k < mask.length; k++) if (mask[k] === id) this._set(k, 0);
      this._refresh(0, 0, W, H);
      this._version++;
      this._endStroke();
      return true;
    }

    /* -------------------------------------------------------------- output */

    _answerShapes() {
      const instances = [], slots = this._slots || [null];
      for (let id = 1; id < slots.length; id++) if (this._counts[id] > 0) instances.push({ color: slots[id].color, label: slots[id].label });
      return { instances, labeledImage: { pngImageData: this._png() } };
    }
  }

  window.CrowdCore.define("crowd-instance-segmentation", CrowdInstanceSegmentationElement);
})();

/* 61-semantic-segmentation.js: <crowd-semantic-segmentation> (spec 5.24). The mask is one label slot
   per image pixel (0 = unlabelled), rasterised by our own code so every pixel is exactly a label
   colour or transparent; the answer PNG is encoded from a canvas that only ever received
   putImageData, so it is never tainted by the (cross-origin) source image. */
(() => {
  "use strict";
  const { ImageToolElement, PALETTE, clamp, el, normalizeColor } = window.CrowdImageTool;
  const MAX_SLOTS = 255;

  const rgbOf = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

  /** A colour not in `used`: the palette first, then golden-angle hues (distinct, deterministic). */
  function freeColor(preferred, used) {
    if (preferred && !used.has(preferred)) return preferred;
    const p = PALETTE.find((c) => !used.has(c));
    if (p) return p;
    for (let k = 0; ; k++) {
      const h = (k * 137.508) % 360, f = (n) => {
        const a = 0.325, t = (n + h / 30) % 12; // hsl(h, 65%, 50%)
        return Math.round(255 * (0.5 - a * Math.max(-1, Math.min(t - 3, 9 - t, 1)))).toString(16).padStart(2, "0");
      };
      const c = `#${f(0)}${f(8)}${f(4)}`;
      if (!used.has(c)) return c;
    }
  }

  class CrowdSemanticSegmentationElement extends ImageToolElement {
    _tools() {
      return [
        { id: "brush", text: "Brush", title: "Paint with the chosen label (B)", key: "b" },
        { id: "polygon", text: "Polygon", title: "Fill a polygon: click its corners, then the first one or Enter (P)", key: "p" },
        { id: "eraser", text: "Eraser", title: "Erase any label (E)", key: "e" },
      ];
    }

    _layers() {
      this._maskCanvas = el("canvas", { class: "it-layer it-mask", width: "1", height: "1" });
      return [this._maskCanvas];
    }

    _sideControls() {
      this._size = 10;
      this._sizeInput = el("input", { type: "range", class: "it-brush-size", min: "1", max: "100", value: "10", "aria-label": "Brush size",
        oninput: () => this._setSize(Number(this._sizeInput.value)) });
      this._sizeText = el("span", { text: "10 px" });
      const opacity = el("input", { type: "range", class: "it-opacity", min: "0", max: "100", step: "5", value: "60", "aria-label": "Mask opacity",
        oninput: () => { this._maskCanvas.style.opacity = String(Number(opacity.value) / 100); } });
      this._maskCanvas.style.opacity = "0.6";
      return [el("label", {}, "Brush size ", this._sizeText), this._sizeInput, el("label", { text: "Mask opacity" }), opacity];
    }

    _setSize(size) {
      this._size = clamp(Math.round(size) || 1, 1, Number(this._sizeInput.max));
      this._sizeInput.value = String(this._size);
      this._sizeText.textContent = `${this._size} px`;
      this._requestDraw();
    }

    _key(e, key) {
      if (key === "Enter" && this._draft && this._draft.length >= 3) { e.preventDefault(); this._fillDraft(); }
      if (key === "[" || key === "]") {
        e.preventDefault();
        const s = this._size;
        this._setSize(key === "]" ? Math.max(s + 1, s * 1.25) : Math.min(s - 1, s / 1.25));
      }
    }

    /* -------------------------------------------------------------- labels and colours */

    /** Colours: locked ones (initial labelMappings, labels already painted) never change; the
        others get the palette colour of their index, or the next free one. */
    _assignColors() {
      this._locked = this._locked || new Map();
      const used = new Set(this._locked.values());
      const assigned = new Map(this._locked);
      this._labels.forEach((label, i) => {
        if (assigned.has(label)) return;
        const c = freeColor(PALETTE[i % PALETTE.length], used);
        used.add(c);
        assigned.set(label, c);
      });
      this._assigned = assigned;
    }

    _colorFor(label) {
      if (!this._assigned) this._assignColors();
      return this._assigned.get(label) || "#7f7f7f";
    }

    _labelsChanged() { this._assignColors(); }

    _slotId(label) {
      let id = this._slotOf.get(label);
      if (id !== undefined) return id;
      if (this._slots.length > MAX_SLOTS) { this._setStatus("Too many labels for one mask."); return 0; }
      const color = this._colorFor(label);
      this._locked.set(label, color);
      this._assignColors();
      id = this._slots.length;
      this._slots.push({ label, color, rgb: rgbOf(color) });
      this._slotOf.set(label, id);
      return id;
    }

    /* -------------------------------------------------------------- initial value */

    _readInitialValue(value) {
      this._locked = new Map();
      this._initial = null;
      if (value !== undefined) {
        const maps = value && typeof value === "object" && value.labelMappings && typeof value.labelMappings === "object" ? value.labelMappings : {};
        for (const [label, m] of Object.entries(maps)) {
          const color = normalizeColor(m && typeof m === "object" ? m.color : m);
          if (!color) { console.warn(`<${this.localName}>: initial-value colour of ${label} is not #rrggbb; dropped.`); continue; }
          if (this._knownLabel(label)) this._locked.set(label, color);
        }
        const src = value && typeof value === "object" && typeof value.src === "string" ? value.src.trim() : "";
        this._initial = { src };
      }
      this._assignColors();
      this._renderLabels();
      if (this._natural) this._imageReady();
    }

    _busy() {
      if (this._maskState === "loading") return "The initial mask is still loading.";
      if (this._maskState === "error") return "The initial mask could not be loaded.";
      return null;
    }

    /* -------------------------------------------------------------- mask */

    _imageReady() {
      const { width: W, height: H } = this._natural;
      this._mask = new Uint8Array(W * H);
      this._rgba = new ImageData(W, H);
      this._counts = new Float64Array(MAX_SLOTS + 1);
      this._counts[0] = W * H;
      this._slots = [null];
      this._slotOf = new Map();
      this._version = (this._version || 0) + 1;
      this._undoStack.length = 0;
      this._redoStack.length = 0;
      this._it.undo.disabled = this._it.redo.disabled = true;
      Object.assign(this._maskCanvas, { width: W, height: H });
      this._maskCanvas.style.width = `${W}px`;
      this._maskCanvas.style.height = `${H}px`;
      this._applyView();
      const max = Math.max(2, Math.min(400, Math.round(Math.max(W, H) / 4)));
      this._sizeInput.max = String(max);
      this._setSize(Math.max(1, Math.round(Math.min(W, H) / 40)));
      this._maskState = this._initial && this._initial.src ? "loading" : "none";
      this._updateStageState();
      if (this._maskState === "loading") this._loadInitialMask(this._version);
    }

    async _loadInitialMask(version) {
      const { width: W, height: H } = this._natural;
      const src = this._initial.src;
      try {
        const resp = await fetch(src, { mode: "cors" });
        if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
        const bitmap = await createImageBitmap(await resp.blob(), { colorSpaceConversion: "none", premultiplyAlpha: "none" });
        if (version !== this._version) return;
        const c = document.createElement("canvas");
        c.width = W;
        c.height = H;
        const ctx = c.getContext("2d", { willReadFrequently: true });
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(bitmap, 0, 0, W, H);
        const data = ctx.getImageData(0, 0, W, H).data;
        const byColor = new Map();
        for (const [label, color] of this._locked) {
          if (this._labels.includes(label)) { const [r, g, b] = rgbOf(color); byColor.set((r << 16) | (g << 8) | b, this._slotId(label)); }
        }
        const mask = this._mask, rgba = this._rgba.data, counts = this._counts;
        for (let k = 0, o = 0; k < mask.length; k++, o += 4) {
          if (!data[o + 3]) continue;
          const id = byColor.get((data[o] << 16) | (data[o + 1] << 8) | data[o + 2]);
          if (!id) continue;
          const rgb = this._slots[id].rgb;
          mask[k] = id; counts[0]--; counts[id]++;
          rgba[o] = rgb[0]; rgba[o + 1] = rgb[1]; rgba[o + 2] = rgb[2]; rgba[o + 3] = 255;
        }
        this._version++;
        this._maskState = "ready";
        this._refresh(0, 0, W, H);
      } catch (err) {
        if (version !== this._version) return;
        console.error(`<${this.localName}>: cannot load the initial mask ${src}: ${err.message}`);
        this._maskState = "error";
        this._setStatus("The initial mask could not be loaded.");
      }
      this._updateStageState();
    }

    _refresh(x, y, w, h) {
      this._maskCanvas.getContext("2d").putImageData(this._rgba, 0, 0, x, y, w, h);
    }

    /** Set pixel k to slot id; returns true if it changed. */
    _set(k, id) {
      const old = this._mask[k];
      if (old === id) return false;
      this._mask[k] = id;
      this._counts[old]--;
      this._counts[id]++;
      const d = this._rgba.data, o = k * 4;
      if (id) { const rgb = this._slots[id].rgb; d[o] = rgb[0]; d[o + 1] = rgb[1]; d[o + 2] = rgb[2]; d[o + 3] = 255; } else d[o] = d[o + 1] = d[o + 2] = d[o + 3] = 0;
      return true;
    }

    /** Paint the capsule of radius size/2 around segment a-b: every pixel whose centre lies within
        it, plus the pixels holding a and b (so a 1 px brush always paints). No anti-aliasing. */
    _paintSegment(a, b, id) {
      const { width: W, height: H } = this._natural;
      const r = this._size / 2, r2 = r * r, dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
      const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - r)), x1 = Math.min(W - 1, Math.floor(Math.max(a.x, b.x) + r));
      const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - r)), y1 = Math.min(H - 1, Math.floor(Math.max(a.y, b.y) + r));
      if (x0 > x1 || y0 > y1) return;
      const st = this._stroke;
      let changed = false;
      for (let y = y0; y <= y1; y++) {
        const cy = y + 0.5, row = y * W;
        for (let x = x0; x <= x1; x++) {
          const cx = x + 0.5;
          const t = len2 ? clamp(((cx - a.x) * dx + (cy - a.y) * dy) / len2, 0, 1) : 0;
          const ex = a.x + t * dx - cx, ey = a.y + t * dy - cy;
          if (ex * ex + ey * ey <= r2 && this._set(row + x, id)) changed = true;
        }
      }
      for (const q of [a, b]) {
        const x = Math.floor(q.x), y = Math.floor(q.y);
        if (x >= 0 && y >= 0 && x < W && y < H && this._set(y * W + x, id)) changed = true;
      }
      if (!changed) return;
      const rc = st.rect;
      st.rect = rc ? [Math.min(rc[0], x0), Math.min(rc[1], y0), Math.max(rc[2], x1), Math.max(rc[3], y1)] : [x0, y0, x1, y1];
      this._refresh(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
      this._version++;
    }

    _copyRect(src, [x0, y0, x1, y1]) {
      const W = this._natural.width, w = x1 - x0 + 1, out = new Uint8Array(w * (y1 - y0 + 1));
      for (let y = y0; y <= y1; y++) out.set(src.subarray(y * W + x0, y * W + x1 + 1), (y - y0) * w);
      return out;
    }

    _writeRect(rect, values) {
      const [x0, y0, x1, y1] = rect, W = this._natural.width, w = x1 - x0 + 1;
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) this._set(y * W + x, values[(y - y0) * w + x - x0]);
      this._refresh(x0, y0, w, y1 - y0 + 1);
      this._version++;
    }

    /* -------------------------------------------------------------- gestures */

    _labelId() {
      if (this._currentLabel == null) { this._setStatus("Choose a label first."); return 0; }
      return this._slotId(this._currentLabel);
    }

    _down(p) {
      const id = this._tool === "eraser" ? 0 : this._labelId();
      if (!id && this._tool !== "eraser") return;
      if (this._tool === "polygon") { if (this._draftAdd(p, 3)) this._fillDraft(); return; }
      this._stroke = { id, before: this._mask.slice(), rect: null, last: p };
      this._paintSegment(p, p, id);
    }

    _move(p) {
      const st = this._stroke;
      if (!st) return;
      this._paintSegment(st.last, p, st.id);
      st.last = p;
      this._requestDraw();
    }

    _up(p) {
      if (!this._stroke) return;
      this._move(p);
      this._endStroke();
    }

    _endStroke() {
      const st = this._stroke;
      this._stroke = null;
      if (!st.rect) return;
      const rect = st.rect, before = this._copyRect(st.before, rect), after = this._copyRect(this._mask, rect);
      this._commit({ undo: () => this._writeRect(rect, before), redo: () => this._writeRect(rect, after) });
    }

    /** Fill the drafted polygon: every pixel whose centre is inside (even-odd rule). */
    _fillDraft() {
      const pts = this._draft, id = this._labelId();
      this._draft = null;
      if (!id) return;
      const { width: W, height: H } = this._natural;
      const ys = pts.map((q) => q.y);
      const y0 = Math.max(0, Math.floor(Math.min(...ys))), y1 = Math.min(H - 1, Math.ceil(Math.max(...ys)));
      this._stroke = { before: this._mask.slice(), rect: null };
      let rect = null;
      for (let y = y0; y <= y1; y++) {
        const cy = y + 0.5, xs = [];
        pts.forEach((a, i) => {
          const b = pts[(i + 1) % pts.length];
          if ((a.y <= cy) !== (b.y <= cy)) xs.push(a.x + ((cy - a.y) * (b.x - a.x)) / (b.y - a.y));
        });
        xs.sort((m, n) => m - n);
        for (let k = 0; k + 1 < xs.length; k += 2) {
          const xa = Math.max(0, Math.ceil(xs[k] - 0.5)), xb = Math.min(W - 1, Math.ceil(xs[k + 1] - 0.5) - 1);
          for (let x = xa; x <= xb; x++) {
            if (!this._set(y * W + x, id)) continue;
            rect = rect ? [Math.min(rect[0], x), Math.min(rect[1], y), Math.max(rect[2], x), Math.max(rect[3], y)] : [x, y, x, y];
          }
        }
      }
      if (rect) { this._stroke.rect = rect; this._refresh(rect[0], rect[1], rect[2] - rect[0] + 1, rect[3] - rect[1] + 1); this._version++; }
      this._endStroke();
      this._requestDraw();
    }

    _deleteSelected() {
      if (!this._draft) return false;
      this._draft.pop();
      if (!this._draft.length) this._draft = null;
      this._requestDraw();
      return true;
    }

    _cancelOp() {
      if (this._draft) { this._draft = null; this._requestDraw(); return true; }
      const st = this._stroke;
      if (!st) return false;
      this._stroke = null;
      if (st.rect) this._writeRect(st.rect, this._copyRect(st.before, st.rect));
      return true;
    }

    /* -------------------------------------------------------------- output */

    _answerShapes() {
      const labelMappings = {};
      for (const label of this._labels) labelMappings[label] = { color: this._colorFor(label) };
      for (const [label, id] of this._slotOf || []) {
        if (!(label in labelMappings) && this._counts[id] > 0) labelMappings[label] = { color: this._slots[id].color };
      }
      return { labelMappings, labeledImage: { pngImageData: this._png() } };
    }

    _png() {
      if (!this._natural || !this._rgba) return "";
      if (this._pngVersion !== this._version) {
        const c = document.createElement("canvas");
        c.width = this._natural.width;
        c.height = this._natural.height;
        c.getContext("2d").putImageData(this._rgba, 0, 0);
        const url = c.toDataURL("image/png");
        this._pngCache = url.slice(url.indexOf(",") + 1);
        this._pngVersion = this._version;
      }
      return this._pngCache;
    }

    /* -------------------------------------------------------------- drawing */

    _drawOverlay(ctx) {
      const hp = this._hoverPoint;
      this._drawDraft(ctx, this._colorFor(this._currentLabel));
      if (!hp || this._panning() || this._tool === "polygon") return;
      const r = Math.max(2, (this._size / 2) * this._view.s);
      ctx.lineWidth = 1;
      for (const [color, rr] of [["#000", r + 1], ["#fff", r]]) {
        ctx.strokeStyle = color;
        ctx.beginPath();
        ctx.arc(hp.sx, hp.sy, rr, 0, Math.PI * 2);
        ctx.stroke();
      }
    }
  }

  window.CrowdCore.define("crowd-semantic-segmentation", CrowdSemanticSegmentationElement);
})();

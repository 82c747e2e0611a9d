/* 50-image-tool.js: what every image tool shares (spec 5.0): the image and its natural size, a
   viewport with zoom and pan, canvas <-> image coordinates, the label picker, undo/redo, keyboard
   shortcuts, initial-value bookkeeping and the Submit button of the tool layout. Tools subclass
   CrowdImageTool.ImageToolElement and fill in the hooks listed before the class. */
(() => {
  "use strict";
  const Core = window.CrowdCore;

  // category10 (Core.PALETTE), then the light half of category20 (spec 5.24).
  const PALETTE = [...Core.PALETTE, "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"];
  const TOOLS = Core.TOOL_TAGS.join(",");
  const MAX_SCREEN_PX_PER_IMAGE_PX = 40;
  const UNDO_LIMIT = 200;
  const CLOSE_DISTANCE = 8; // screen px from the first vertex that closes a draft

  const clamp = (v, lo, hi) => (v < lo ? lo : v > hi ? hi : v);

  /** Small element factory: el("div", {class: "x", onclick: f}, child, "text"). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    node.append(...children.filter((c) => c != null));
    return node;
  }

  /** Label strings from whatever a template assigns (strings, or objects with `label`). */
  function normalizeLabels(value) {
    if (value == null) return [];
    const out = [];
    for (const item of Array.isArray(value) ? value : [value]) {
      const text = item !== null && typeof item === "object" ? (item.label ?? item.name) : item;
      if (text == null) continue;
      const label = String(text);
      if (!out.includes(label)) out.push(label);
    }
    return out;
  }

  /** "#rrggbb" (any case, also "#rgb") -> lower-case "#rrggbb", or null. */
  function normalizeColor(text) {
    const t = String(text || "").trim();
    let m = /^#?([0-9a-f]{6})$/i.exec(t);
    if (m) return "#" + m[1].toLowerCase();
    m = /^#?([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(t);
    return m ? ("#" + m[1] + m[1] + m[2] + m[2] + m[3] + m[3]).toLowerCase() : null;
  }

  const CSS = `
.it{display:flex;flex-direction:column;height:max(420px,calc(100vh - 170px));border:1px solid var(--crowd-line);font-size:14px}
.it-bar{display:flex;flex-wrap:wrap;gap:4px;align-items:center;padding:6px 8px;border-bottom:1px solid var(--crowd-line);background:var(--crowd-panel)}
.it-bar .sep{width:1px;height:22px;background:var(--crowd-line);margin:0 4px}
.it button{font:inherit;border:1px solid var(--crowd-border);background:#fff;border-radius:3px;padding:3px 9px;cursor:pointer;color:inherit}
.it button:hover:not(:disabled){background:#f2f3f3}
.it button:disabled{opacity:.45;cursor:default}
.it button[aria-pressed=true]{background:var(--crowd-primary);border-color:var(--crowd-primary);color:#fff}
.it-zoom{min-width:3.5em;text-align:center;font-variant-numeric:tabular-nums}
.it-status{margin-left:auto;color:var(--crowd-error)}
.it-main{display:flex;flex:1;min-height:0}
.it-stage{position:relative;flex:1;min-width:0;overflow:hidden;background:#545b64;outline:none;touch-action:none;user-select:none;cursor:crosshair}
.it-stage:focus,.it-stage:focus-visible{outline:none}
.it-stage[data-pan]{cursor:grab}.it-stage[data-panning]{cursor:grabbing}
.it-box{position:absolute;overflow:hidden}
.it-box>img,.it-box>.it-layer{position:absolute;left:0;top:0;transform-origin:0 0;max-width:none;pointer-events:none}
.it-box>.it-layer,.it-stage[data-pixelated] .it-box>img{image-rendering:pixelated}
.it-box>canvas.upper-canvas{position:absolute;left:0;top:0}
.it-msg{position:absolute;left:50%;top:50%;transform:translate(-50%,-50%);color:#fff;background:rgba(0,0,0,.6);padding:6px 12px;border-radius:3px;pointer-events:none}
.it-msg:empty{display:none}
.it-side{width:200px;flex:none;border-left:1px solid var(--crowd-line);padding:8px;overflow:auto}
.it-side h3{font-size:12px;margin:4px 0 6px;text-transform:uppercase;color:var(--crowd-muted)}
.it-labels{display:flex;flex-direction:column;gap:3px;margin-bottom:12px}
.it-labels .it-label{display:flex;align-items:center;gap:6px;text-align:left;width:100%}
.it-label .sw{width:12px;height:12px;border-radius:2px;flex:none}
.it-label .key{margin-left:auto;color:var(--crowd-muted);font-size:12px}
.it-label[aria-checked=true]{background:var(--crowd-primary-light);border-color:var(--crowd-primary);box-shadow:inset 3px 0 var(--crowd-primary)}
.it-empty{color:var(--crowd-muted);font-style:italic}
.it-side label{display:block;margin:8px 0 2px}
.it-side input[type=range]{width:100%}`;

  /* Hooks a tool implements (all optional except _answerShapes):
       _tools()                -> [{id, text, title, key}] drawing tools; "pan" is added by the base
       _readInitialValue(v)    parse the parsed initial-value (labels already known); return nothing
       _imageReady()           the natural size is known (allocate buffers, start async work)
       _down(p, e) _move(p, e) _up(p, e) _hover(p, e)   p = {x, y} image px (unclamped), {sx, sy} box px
       _cancelOp()             Escape / undo while a gesture is in progress; return true if one was
       _deleteSelected()       return true if something was deleted
       _deselect()             return true if something was selected
       _labelPicked(label)     a label was picked (relabel the selection)
       _drawOverlay(ctx)       draw in box CSS px (the view is this._view)
       _sideControls() _barExtras() _layers()   extra nodes: side pane, toolbar, image layers
       _key(e, key)            a key the base did not handle
       _answerShapes()         the tool's own keys of the answer
       _busy()                 an error string while async work (e.g. a mask load) is pending
  */
  class ImageToolElement extends Core.CrowdElement {
    static get observedAttributes() { return ["src", "labels", "initial-value"]; }
    static get upgradeProps() { return ["labels"]; }

    /* ------------------------------------------------------------------ lifecycle (CrowdElement) */

    render(root) {
      const it = (this._it = {});
      this._labels = normalizeLabels(this._earlyLabels !== undefined ? this._earlyLabels : Core.readAttribute(this, "labels"));
      this._warnLabelCount();
      this._currentLabel = this._labels[0] ?? null;
      this._view = { zoom: 1, s: 1, fs: 0, tx: 0, ty: 0, bw: 0, bh: 0 };
      this._undoStack = [];
      this._redoStack = [];
      this._modified = false;
      this._natural = null;
      this._tool = this._tools()[0]?.id || "pan";
      this._resizeObserver = new ResizeObserver(() => this._layoutView());

      const button = (cls, title, text, onclick, more) => el("button", { type: "button", class: cls, title, onclick, ...more }, text);
      const tools = [...this._tools(), { id: "pan", text: "Pan", title: "Pan (H, or hold Space, or drag with the middle button)" }];
      it.toolButtons = tools.map((t) => button("it-tool", t.title, t.text, () => this._setTool(t.id), { "data-tool": t.id }));
      it.undo = button("it-undo", "Undo (Ctrl+Z)", "Undo", () => this.undo(), { disabled: true });
      it.redo = button("it-redo", "Redo (Ctrl+Shift+Z)", "Redo", () => this.redo(), { disabled: true });
      it.zoomText = el("span", { class: "it-zoom" }, "100%");
      it.status = el("span", { class: "it-status", role: "status" });
      const sep = () => el("span", { class: "sep" });
      const bar = el("div", { class: "it-bar", role: "toolbar" }, ...it.toolButtons, sep(),
        button("it-zoom-out", "Zoom out (-)", "\u2212", () => this._zoomBy(1 / 1.5)), it.zoomText,
        button("it-zoom-in", "Zoom in (+)", "+", () => this._zoomBy(1.5)),
        button("it-fit", "Fit the image", "Fit", () => this._setZoom(1)),
        sep(), it.undo, it.redo, ...this._barExtras(), it.status);
      it.img = el("img", { alt: "", draggable: "false" });
      it.canvas = el("canvas", { class: "upper-canvas" });
      it.box = el("div", { class: "it-box" }, it.img, ...this._layers(), it.canvas);
      it.msg = el("div", { class: "it-msg", role: "status" });
      it.stage = el("div", { class: "it-stage", tabindex: "0", "data-state": "loading", "aria-label": "Image" }, it.box, it.msg);
      it.labelList = el("div", { class: "it-labels", role: "radiogroup", "aria-label": "Labels" });
      Core.style(root, CSS);
      Core.toolLayout(root, this, { submit: true }).append(el("div", { class: "it" }, bar,
        el("div", { class: "it-main" }, it.stage,
          el("div", { class: "it-side" }, el("h3", { text: "Labels" }), it.labelList, ...this._sideControls()))));
      this._renderLabels();
      this._applyInitialValue(false);
      this._setTool(this._tool);
      this._loadImage();
    }

    connected(signal) {
      const opts = { signal };
      const stage = this._it.stage;
      const on = (target, type, fn, o = opts) => target.addEventListener(type, fn, o);
      on(stage, "pointerdown", (e) => this._onPointerDown(e));
      on(stage, "pointermove", (e) => this._onPointerMove(e));
      on(stage, "pointerup", (e) => this._onPointerUp(e, false));
      on(stage, "pointercancel", (e) => this._onPointerUp(e, true));
      on(stage, "lostpointercapture", (e) => this._onPointerUp(e, true));
      on(stage, "pointerleave", () => { this._hoverPoint = null; this._requestDraw(); });
      // No text selection, focus move or middle-button scrolling. The pointerdown is not cancelled, so
      // mousedown and mouseup still reach the page (templates read `value` on mouseup).
      on(stage, "mousedown", (e) => e.preventDefault());
      on(stage, "wheel", (e) => this._onWheel(e), { signal, passive: false });
      on(stage, "contextmenu", (e) => e.preventDefault());
      on(document, "keydown", (e) => this._onKey(e));
      on(document, "keyup", (e) => { if (e.key === " ") this._setSpace(false); });
      on(window, "blur", () => this._setSpace(false));
      this._resizeObserver.observe(stage);
      on(signal, "abort", () => { this._resizeObserver.disconnect(); this._setSpace(false); }, { once: true });
      this._layoutView();
    }

    attributeChanged(name) {
      if (name === "labels") this.labels = Core.readAttribute(this, "labels");
      else if (name === "src") this._loadImage();
      else this._applyInitialValue(true);
    }

    /* ------------------------------------------------------------------ public API */

    get labels() {
      if (this._it) return this._labels.slice();
      return normalizeLabels(this._earlyLabels !== undefined ? this._earlyLabels : Core.readAttribute(this, "labels"));
    }

    set labels(value) {
      if (!this._it) { this._earlyLabels = value; return; }
      this._labels = normalizeLabels(value);
      this._warnLabelCount();
      if (!this._labels.includes(this._currentLabel)) this._currentLabel = this._labels[0] ?? null;
      this._labelsChanged();
      this._renderLabels();
      this._requestDraw();
    }

    /** A read-only view of what AWS's library keeps in its store, for templates that read it
        (docs/elements-compatibility.md): `store.getState().label.labels` maps each label to the colour
        it is drawn in. */
    get store() {
      return { getState: () => ({ label: { labels: Object.fromEntries(this.labels.map((l) => [l, { label: l, color: this._colorFor(l) }])) } }) };
    }

    /** The answer object (spec 5.0: tool keys, inputImageProperties, initialValueModified). */
    answer() {
      if (!this._it) return undefined;
      const out = this._answerShapes();
      if (this._hasInitial) out.initialValueModified = this._modified;
      const n = this._natural;
      out.inputImageProperties = { height: n ? n.height : 0, width: n ? n.width : 0 };
      return out;
    }

    validate() {
      if (!this._it) return null;
      if (this._loadState === "error") return `The image could not be loaded (${this.getAttribute("src") || "no src"}).`;
      if (this._loadState !== "ready") return "The image is still loading.";
      return this._busy() || null;
    }

    undo() {
      const d = this._draft;
      if (d && d.length > 1) { d.pop(); this._requestDraw(); return; }
      if (this._cancelOp()) { this._requestDraw(); return; }
      const cmd = this._undoStack.pop();
      if (!cmd) return;
      cmd.undo();
      this._redoStack.push(cmd);
      this._afterChange();
    }

    redo() {
      if (this._cancelOp()) this._requestDraw();
      const cmd = this._redoStack.pop();
      if (!cmd) return;
      cmd.redo();
      this._undoStack.push(cmd);
      this._afterChange();
    }

    /** crowd-button form-action="reset": back to the initial value. */
    _reset() { if (this._it) { this._cancelOp(); this._applyInitialValue(true); } }

    /* ------------------------------------------------------------------ defaults of the hooks */

    _tools() { return []; }
    _barExtras() { return []; }
    _layers() { return []; }
    _sideControls() { return []; }
    _readInitialValue() {}
    _imageReady() {}
    _down() {}
    _move() {}
    _up() {}
    _hover() {}
    _cancelOp() { return false; }
    _deleteSelected() { return false; }
    _deselect() { return false; }
    _labelPicked() {}
    _labelsChanged() {}
    _drawOverlay() {}
    _answerShapes() { return {}; }
    _busy() { return null; }

    /* ------------------------------------------------------------------ for the tools */

    /** Record an edit: cmd = {undo(), redo()} (already applied). Marks initialValueModified. */
    _commit(cmd) {
      this._undoStack.push(cmd);
      if (this._undoStack.length > UNDO_LIMIT) this._undoStack.shift();
      this._redoStack.length = 0;
      this._afterChange();
    }

    _afterChange() {
      this._modified = true;
      this._it.undo.disabled = !this._undoStack.length;
      this._it.redo.disabled = !this._redoStack.length;
      this._requestDraw();
      this.dispatchEvent(new CustomEvent("crowd-annotation-change", { bubbles: true, composed: true }));
    }

    _colorFor(label) {
      const i = this._labels.indexOf(label);
      return i < 0 ? "#7f7f7f" : PALETTE[i % PALETTE.length];
    }

    _setStatus(text) { this._it.status.textContent = text || ""; }

    /** Image point of an event (floating point, not clamped). */
    _point(e) {
      const r = this._it.box.getBoundingClientRect();
      const v = this._view;
      const sx = e.clientX - r.left, sy = e.clientY - r.top;
      return { x: (sx - v.tx) / v.s, y: (sy - v.ty) / v.s, sx, sy };
    }

    _clampPoint(p) {
      const n = this._natural;
      return { x: clamp(p.x, 0, n.width), y: clamp(p.y, 0, n.height) };
    }

    toScreen(x, y) { const v = this._view; return [x * v.s + v.tx, y * v.s + v.ty]; }

    /** Client (viewport) coordinates of an image point; used by tests and benchmarks. */
    _imageToClient(x, y) {
      const r = this._it.box.getBoundingClientRect();
      const [sx, sy] = this.toScreen(x, y);
      return { x: r.left + sx, y: r.top + sy };
    }

    _requestDraw() {
      if (!this._it || this._frame) return;
      this._frame = requestAnimationFrame(() => { this._frame = 0; this._paint(); });
    }

    /* ------------------------------------------------------------------ image and view */

    _loadImage() {
      const it = this._it;
      const src = this.getAttribute("src");
      this._natural = null;
      this._setState(src ? "loading" : "error");
      it.img.onload = () => {
        if (!it.img.naturalWidth) { this._setState("error"); return; }
        this._natural = { width: it.img.naturalWidth, height: it.img.naturalHeight };
        Object.assign(this._view, { zoom: 1, fs: 0 });
        this._layoutView();
        Object.assign(this._view, { tx: 0, ty: 0 });
        this._applyView();
        this._imageReady();
        this._setState("ready");
      };
      it.img.onerror = () => { if (src) { console.error(`<${this.localName}>: cannot load image ${src}`); this._setState("error"); } };
      if (src) it.img.src = src; else it.img.removeAttribute("src");
    }

    _setState(state) {
      this._loadState = state;
      const it = this._it;
      it.msg.textContent = state === "loading" ? "Loading image\u2026" : state === "error" ? "The image could not be loaded." : "";
      it.img.style.visibility = state === "ready" ? "" : "hidden";
      this._updateStageState();
    }

    /** data-state="ready" once the worker can draw (image loaded, no async setup pending). */
    _updateStageState() {
      const ready = this._loadState === "ready" && !this._busy();
      const stage = this._it.stage, was = stage.dataset.state;
      stage.dataset.state = ready ? "ready" : this._loadState === "error" ? "error" : "loading";
      if (ready && was !== "ready") this.dispatchEvent(new CustomEvent("crowd-tool-ready", { bubbles: true, composed: true }));
    }

    _layoutView() {
      const it = this._it, n = this._natural, v = this._view;
      if (!it || !n) return;
      const W = it.stage.clientWidth, H = it.stage.clientHeight;
      if (!W || !H) return;
      const fs = Math.min(W / n.width, H / n.height);
      const bw = Math.max(1, Math.floor(n.width * fs)), bh = Math.max(1, Math.floor(n.height * fs));
      // Keep the image point at the centre of the box where it was.
      const cx = v.fs ? (v.bw / 2 - v.tx) / v.s : n.width / 2;
      const cy = v.fs ? (v.bh / 2 - v.ty) / v.s : n.height / 2;
      Object.assign(it.box.style, { left: `${Math.floor((W - bw) / 2)}px`, top: `${Math.floor((H - bh) / 2)}px`, width: `${bw}px`, height: `${bh}px` });
      const dpr = window.devicePixelRatio || 1;
      it.canvas.width = Math.round(bw * dpr);
      it.canvas.height = Math.round(bh * dpr);
      it.canvas.style.width = `${bw}px`;
      it.canvas.style.height = `${bh}px`;
      v.fs = fs; v.bw = bw; v.bh = bh;
      v.zoom = clamp(v.zoom, 1, this._maxZoom());
      v.s = fs * v.zoom;
      v.tx = bw / 2 - cx * v.s;
      v.ty = bh / 2 - cy * v.s;
      this._applyView();
    }

    _maxZoom() { return Math.max(1, MAX_SCREEN_PX_PER_IMAGE_PX / (this._view.fs || 1)); }

    _applyView() {
      const it = this._it, v = this._view, n = this._natural;
      if (!n) return;
      v.tx = clamp(v.tx, Math.min(0, v.bw - n.width * v.s), 0);
      v.ty = clamp(v.ty, Math.min(0, v.bh - n.height * v.s), 0);
      const t = `translate(${v.tx}px,${v.ty}px) scale(${v.s})`;
      for (const node of it.box.children) if (node !== it.canvas) node.style.transform = t;
      it.img.style.width = `${n.width}px`;
      it.img.style.height = `${n.height}px`;
      it.stage.toggleAttribute("data-pixelated", v.s >= 4);
      it.zoomText.textContent = `${Math.round(v.zoom * 100)}%`;
      this._requestDraw();
    }

    /** Zoom keeping the image point under box position (px, py) fixed. */
    _zoomAt(zoom, px, py) {
      const v = this._view;
      if (!this._natural || !v.fs) return;
      zoom = clamp(zoom, 1, this._maxZoom());
      const ix = (px - v.tx) / v.s, iy = (py - v.ty) / v.s;
      v.zoom = zoom;
      v.s = v.fs * zoom;
      v.tx = px - ix * v.s;
      v.ty = py - iy * v.s;
      this._applyView();
    }

    _zoomBy(f) { this._zoomAt(this._view.zoom * f, this._view.bw / 2, this._view.bh / 2); }
    _setZoom(z) { this._zoomAt(z, this._view.bw / 2, this._view.bh / 2); }

    _onWheel(e) {
      if (!this._natural) return;
      e.preventDefault();
      const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
      const p = this._point(e);
      this._zoomAt(this._view.zoom * Math.exp(-dy * 0.002), p.sx, p.sy);
    }

    /* ------------------------------------------------------------------ pointer */

    _panning() { return this._tool === "pan" || this._spaceDown; }

    _onPointerDown(e) {
      if (this._drag || this._loadState !== "ready") return;
      const pan = e.button === 1 || (e.button === 0 && this._panning());
      if (e.button !== 0 && !pan) return;
      this._it.stage.focus({ preventScroll: true });
      if (!pan && this._busy()) return;
      try { this._it.stage.setPointerCapture(e.pointerId); } catch (_) { /* synthetic pointer */ }
      this._drag = { id: e.pointerId, pan, x: e.clientX, y: e.clientY, tx: this._view.tx, ty: this._view.ty };
      if (pan) this._it.stage.toggleAttribute("data-panning", true);
      else this._down(this._point(e), e);
    }

    _onPointerMove(e) {
      const d = this._drag;
      if (!this._natural) return;
      const p = this._point(e);
      this._hoverPoint = p;
      if (d && d.id === e.pointerId) {
        if (d.pan) {
          this._view.tx = d.tx + e.clientX - d.x;
          this._view.ty = d.ty + e.clientY - d.y;
          this._applyView();
        } else this._move(p, e);
      } else if (!d) {
        this._hover(p, e);
        this._requestDraw();
      }
    }

    _onPointerUp(e, cancelled) {
      const d = this._drag;
      if (!d || d.id !== e.pointerId) return;
      this._drag = null;
      this._it.stage.removeAttribute("data-panning");
      if (d.pan) return;
      if (cancelled) { this._cancelOp(); this._requestDraw(); } else this._up(this._point(e), e);
    }

    /* ------------------------------------------------------------------ keyboard */

    _onKey(e) {
      if (e.defaultPrevented || Core.fromEditable(e) || !Core.ownsKeys(this, e, TOOLS)) return;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      if (e.ctrlKey || e.metaKey) {
        if (key === "z" && !e.altKey) { e.preventDefault(); if (e.shiftKey) this.redo(); else this.undo(); }
        else if (key === "y" && !e.altKey) { e.preventDefault(); this.redo(); }
        return;
      }
      if (e.altKey) return;
      const digit = /^Digit([1-9])$|^Numpad([1-9])$/.exec(e.code || "");
      if (key === "Delete" || key === "Backspace") {
        if (this._deleteSelected()) e.preventDefault();
      } else if (key === "Escape") {
        if (this._cancelOp() || this._deselect()) e.preventDefault();
        this._requestDraw();
      } else if (/^[1-9]$/.test(key) || digit) {
        const i = Number(/^[1-9]$/.test(key) ? key : digit[1] || digit[2]) - 1;
        if (i < this._labels.length) { e.preventDefault(); this._pickLabel(this._labels[i]); }
      } else if (key === " ") {
        e.preventDefault();
        this._setSpace(true);
      } else if (key === "+" || key === "=") { e.preventDefault(); this._zoomBy(1.5); }
      else if (key === "-") { e.preventDefault(); this._zoomBy(1 / 1.5); }
      else {
        const tool = [...this._tools(), { id: "pan", key: "h" }].find((t) => t.key === key && !e.shiftKey);
        if (tool) { e.preventDefault(); this._setTool(tool.id); } else this._key(e, key);
      }
    }

    _key() {}

    /* ------------------------------------------------------------------ tools and labels */

    _setTool(id) {
      this._cancelOp();
      this._tool = id;
      for (const b of this._it.toolButtons) b.setAttribute("aria-pressed", String(b.dataset.tool === id));
      this._updateCursor();
      this._requestDraw();
    }

    _setSpace(down) {
      if (this._spaceDown === down) return;
      this._spaceDown = down;
      this._updateCursor();
    }

    _updateCursor() {
      if (this._it) this._it.stage.toggleAttribute("data-pan", this._panning());
    }

    _warnLabelCount() {
      if (this._labels.length > 10) console.warn(`<${this.localName}>: ${this._labels.length} labels; Ground Truth allows at most 10.`);
    }

    _renderLabels() {
      const it = this._it;
      if (!this._labels.length) {
        it.labelList.replaceChildren(el("div", { class: "it-empty", text: "No labels" }));
        return;
      }
      it.labelList.replaceChildren(...this._labels.map((label, i) => el("button", {
        type: "button", class: "it-label", role: "radio", "data-label": label,
        "aria-checked": String(label === this._currentLabel),
        title: i < 9 ? `${label} (${i + 1})` : label,
        onclick: () => this._pickLabel(label),
      }, el("span", { class: "sw", style: `background:${this._colorFor(label)}` }), el("span", { text: label }),
      i < 9 ? el("span", { class: "key", text: String(i + 1) }) : null)));
    }

    _pickLabel(label) {
      this._currentLabel = label;
      for (const b of this._it.labelList.querySelectorAll(".it-label")) b.setAttribute("aria-checked", String(b.dataset.label === label));
      this._setStatus("");
      this._labelPicked(label);
      this._requestDraw();
    }

    /* ------------------------------------------------------------------ initial value */

    _applyInitialValue(reset) {
      const value = Core.readAttribute(this, "initial-value");
      this._hasInitial = value !== undefined;
      if (reset) {
        this._undoStack.length = 0;
        this._redoStack.length = 0;
        this._it.undo.disabled = this._it.redo.disabled = true;
      }
      this._modified = false;
      this._readInitialValue(value);
      this._requestDraw();
    }

    /** Warn about initial shapes whose label is not in `labels` (they are dropped, spec 5.0). */
    _knownLabel(label) {
      if (this._labels.includes(label)) return true;
      console.warn(`<${this.localName}>: initial-value label ${JSON.stringify(label)} is not in labels; dropped.`);
      return false;
    }

    /* ------------------------------------------------------------------ painting */

    _paint() {
      const it = this._it, v = this._view;
      const ctx = it.canvas.getContext("2d");
      const dpr = window.devicePixelRatio || 1;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, it.canvas.width, it.canvas.height);
      if (!this._natural || !v.fs) return;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      this._drawOverlay(ctx);
    }

    /* ------------------------------------------------------------------ vertex drafts (polygon-like tools) */

    /** Add a clicked vertex (clamped) to this._draft. Returns true when the click closes the draft
        (on the first vertex, with at least `min` vertices); the caller then takes this._draft. */
    _draftAdd(p, min) {
      const d = (this._draft = this._draft || []);
      if (d.length >= min) {
        const [fx, fy] = this.toScreen(d[0].x, d[0].y);
        if (Math.hypot(p.sx - fx, p.sy - fy) <= CLOSE_DISTANCE) return true;
      }
      d.push(this._clampPoint(p));
      this._requestDraw();
      return false;
    }

    /** The draft so far, a rubber band to the pointer, and the first vertex as a closing target. */
    _drawDraft(ctx, color) {
      const d = this._draft, hp = this._hoverPoint;
      if (!d || !d.length) return;
      ctx.save();
      ctx.strokeStyle = ctx.fillStyle = color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (const q of d) ctx.lineTo(...this.toScreen(q.x, q.y));
      if (hp) ctx.lineTo(hp.sx, hp.sy);
      ctx.stroke();
      for (const [i, q] of d.entries()) {
        ctx.beginPath();
        ctx.arc(...this.toScreen(q.x, q.y), i ? 3 : CLOSE_DISTANCE / 2, 0, Math.PI * 2);
        ctx.fill();
      }
      ctx.restore();
    }
  }

  window.CrowdImageTool = { ImageToolElement, PALETTE, clamp, el, normalizeColor, normalizeLabels };
})();

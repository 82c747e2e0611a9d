/* 55-vertex-tool.js: what crowd-polygon, crowd-polyline, crowd-line and crowd-keypoint share (spec
   5.0, 5.17, 5.18, 5.20, 5.21): labelled shapes made of vertices, kept in floating-point image pixels
   and rounded only in the answer. Click to place vertices (the base's draft), click a shape's border
   (or a point) to select it, drag it to move it, drag a vertex of the selected shape to move that
   vertex; Delete removes the selected shape (or the last vertex of a shape in progress), Escape
   cancels, Enter finishes. A tool is a subclass with `static get shape()`:
     {key, noun, tool, title, hotkey, min, max, closed, colors}
   key: the answer key; min/max: vertex counts; closed: polygon (filled, closes on its first vertex);
   colors: the tool reads `label-colors`. */
(() => {
  "use strict";
  const Core = window.CrowdCore;
  const { ShapeListTool, clamp, normalizeColor } = window.CrowdImageTool;
  const HIT = 7; // screen px around a vertex or an edge that counts as a hit

  const copyShape = (s) => ({ label: s.label, pts: s.pts.map((q) => ({ x: q.x, y: q.y })) });
  const samePts = (a, b) => a.pts.length === b.pts.length && a.pts.every((q, i) => q.x === b.pts[i].x && q.y === b.pts[i].y);

  /** Distance from p to segment a-b ([x, y] arrays). */
  function segDist(p, a, b) {
    const dx = b[0] - a[0], dy = b[1] - a[1], len2 = dx * dx + dy * dy;
    const t = len2 ? clamp(((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2, 0, 1) : 0;
    return Math.hypot(a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
  }

  /** True when segments a-b and c-d ({x, y}) properly cross. */
  function crosses(a, b, c, d) {
    const o = (p, q, r) => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
    return o(a, b, c) * o(a, b, d) < 0 && o(c, d, a) * o(c, d, b) < 0;
  }

  class VertexTool extends ShapeListTool {
    static get observedAttributes() { return [...super.observedAttributes, "label-colors"]; }
    get _cfg() { return this.constructor.shape; }

    get _noun() { return this._cfg.noun; }

    _copyShape(s) { return copyShape(s); }

    _busyEditing() { return Boolean(this._op || this._draft); }

    _tools() { const c = this._cfg; return [{ id: "draw", text: c.tool, title: c.title, key: c.hotkey }]; }

    attributeChanged(name) {
      if (name !== "label-colors") { super.attributeChanged(name); return; }
      this._labelColors = null;
      this._renderLabels();
      this._requestDraw();
    }

    /** `label-colors` (line, polyline): one colour per label; missing ones use the palette (5.0). */
    _colorFor(label) {
      if (this._cfg.colors) {
        if (!this._labelColors) {
          const v = Core.readAttribute(this, "label-colors");
          this._labelColors = (Array.isArray(v) ? v : []).map(normalizeColor);
        }
        const c = this._labelColors[this._labels.indexOf(label)];
        if (c) return c;
      }
      return super._colorFor(label);
    }

    /* -------------------------------------------------------------- initial value and answer */

    _readInitialValue(value) {
      const c = this._cfg;
      this._shapes = [];
      this._sel = -1;
      this._op = null;
      this._draft = null;
      if (value !== undefined) {
        const list = Array.isArray(value) ? value : value && Array.isArray(value[c.key]) ? value[c.key] : [];
        for (const item of list) {
          const pts = item && typeof item === "object" ? this._itemPoints(item) : null;
          if (!pts || pts.length < c.min || pts.length > c.max || pts.some((q) => !Number.isFinite(q.x) || !Number.isFinite(q.y))) {
            console.warn(`<${this.localName}>: initial ${c.noun} without valid vertices dropped`, item);
            continue;
          }
          const label = String(item.label);
          if (this._knownLabel(label)) this._shapes.push({ label, pts });
        }
      }
      this._selChanged();
    }

    /** Vertices of an initial-value item (holes such as the reference's `, ,` typo are skipped). */
    _itemPoints(item) {
      if (!Array.isArray(item.vertices)) return null;
      return item.vertices.filter((v) => v != null).map((v) => ({ x: Number(v.x ?? NaN), y: Number(v.y ?? NaN) }));
    }

    _out(s) { return { label: s.label, vertices: s.pts.map((q) => ({ x: Math.round(q.x), y: Math.round(q.y) })) }; }

    _answerShapes() { return { [this._cfg.key]: (this._shapes || []).map((s) => this._out(s)) }; }

    /* -------------------------------------------------------------- edits (undoable) */

    /** Delete removes the last vertex of a shape in progress, else the selected shape. */
    _deleteSelected() {
      if (this._op || !this._draft) return super._deleteSelected();
      this._draft.pop();
      if (!this._draft.length) this._draft = null;
      this._requestDraw();
      return true;
    }

    /* -------------------------------------------------------------- drafting */

    _addVertex(p) {
      const c = this._cfg, d = this._draft;
      if (d && d.length) {
        // Clicking the last vertex again (a double-click) finishes an open shape; never a duplicate.
        const [lx, ly] = this.toScreen(d[d.length - 1].x, d[d.length - 1].y);
        if (Math.hypot(p.sx - lx, p.sy - ly) <= HIT / 2) { if (!c.closed && d.length >= c.min) this._finish(); return; }
        if (c.closed) {
          // Closing on the first vertex (the base's 8 px target) is checked here to refuse a crossing close.
          const q = this._clampPoint(p), [fx, fy] = this.toScreen(d[0].x, d[0].y);
          const closing = d.length >= c.min && Math.hypot(p.sx - fx, p.sy - fy) <= 8;
          if (closing ? this._selfCrossing(d, d[0], 1) : this._selfCrossing(d, q, 0)) {
            this._setStatus("The edges of a polygon may not cross.");
            return;
          }
          if (closing) { this._finish(); return; }
        }
      }
      this._setStatus("");
      if (this._draftAdd(p, c.closed ? c.min : Infinity)) { this._finish(); return; }
      if (this._draft.length >= c.max) this._finish();
    }

    /** Would the edge from the draft's last vertex to q cross an earlier edge? (skip: edges to ignore
        at the start, 1 when q is the first vertex itself, whose edge shares that vertex.) */
    _selfCrossing(d, q, skip) {
      const last = d[d.length - 1];
      for (let i = skip; i + 2 < d.length; i++) if (crosses(d[i], d[i + 1], last, q)) return true;
      return false;
    }

    _finish() {
      const d = this._draft;
      this._draft = null;
      if (!d || d.length < this._cfg.min) { this._requestDraw(); return; }
      const before = this._copyAll(this._shapes), sel = this._sel;
      // A new shape is not selected, so picking the next label does not relabel it (as for boxes).
      this._shapes.push({ label: this._currentLabel, pts: d });
      this._sel = -1;
      this._selChanged();
      this._commitShapes(before, sel);
    }

    _key(e, key) {
      if (key !== "Enter" || !this._draft) return;
      e.preventDefault();
      const c = this._cfg;
      if (c.closed && this._draft.length >= c.min && this._selfCrossing(this._draft, this._draft[0], 1)) this._setStatus("The edges of a polygon may not cross.");
      else if (this._draft.length >= c.min) this._finish();
      else if (c.closed) this._setStatus(`A ${c.noun} needs at least ${c.min} vertices.`);
      else { this._draft = null; this._requestDraw(); } // a one-vertex polyline is discarded (5.21)
    }

    /* -------------------------------------------------------------- gestures */

    _screenPts(s) { return s.pts.map((q) => this.toScreen(q.x, q.y)); }

    _vertexAt(p, i) {
      const s = this._shapes[i];
      if (!s) return -1;
      const pts = this._screenPts(s);
      for (let k = pts.length - 1; k >= 0; k--) if (Math.hypot(pts[k][0] - p.sx, pts[k][1] - p.sy) <= HIT) return k;
      return -1;
    }

    /** The topmost shape whose border (or point) is under p. */
    _shapeAt(p) {
      const sp = [p.sx, p.sy];
      for (let i = this._shapes.length - 1; i >= 0; i--) {
        const pts = this._screenPts(this._shapes[i]);
        if (pts.length === 1) { if (segDist(sp, pts[0], pts[0]) <= HIT) return i; continue; }
        const n = this._cfg.closed ? pts.length : pts.length - 1;
        for (let k = 0; k < n; k++) if (segDist(sp, pts[k], pts[(k + 1) % pts.length]) <= HIT) return i;
      }
      return -1;
    }

    _down(p) {
      const before = this._copyAll(this._shapes), sel = this._sel;
      if (this._draft) { this._op = { kind: "add", start: p }; return; }
      const v = this._vertexAt(p, sel);
      if (v >= 0) { this._op = { kind: "vertex", sel, v, before, orig: copyShape(this._shapes[sel]) }; return; }
      const i = this._shapeAt(p);
      if (i < 0) { this._op = { kind: "add", start: p }; return; }
      this._sel = i;
      this._selChanged();
      this._op = { kind: "move", sel: i, start: p, before, beforeSel: sel, orig: copyShape(this._shapes[i]) };
    }

    _move(p) {
      const op = this._op;
      if (!op) return;
      if (op.kind === "vertex") {
        Object.assign(this._shapes[op.sel].pts[op.v], this._clampPoint(p));
      } else if (op.kind === "move") {
        const o = op.orig, n = this._natural, xs = o.pts.map((q) => q.x), ys = o.pts.map((q) => q.y);
        const dx = clamp(p.x - op.start.x, -Math.min(...xs), n.width - Math.max(...xs));
        const dy = clamp(p.y - op.start.y, -Math.min(...ys), n.height - Math.max(...ys));
        this._shapes[op.sel].pts = o.pts.map((q) => ({ x: q.x + dx, y: q.y + dy }));
      }
      this._requestDraw();
    }

    _up(p) {
      const op = this._op;
      if (!op) return;
      this._move(p);
      this._op = null;
      if (op.kind === "add") {
        if (this._sel >= 0 && !this._draft) { this._deselect(); return; }
        if (this._currentLabel == null) { this._setStatus("Choose a label first."); return; }
        this._addVertex(op.start);
        // A line may also be drawn by dragging from its start to its end.
        if (this._draft && this._cfg.max === 2 && this._draft.length === 1 && Math.hypot(p.sx - op.start.sx, p.sy - op.start.sy) > 4) this._addVertex(p);
      } else if (!samePts(this._shapes[op.sel], op.orig)) this._commitShapes(op.before, op.kind === "move" ? op.beforeSel : op.sel);
      this._requestDraw();
    }

    _cancelOp() {
      const op = this._op;
      if (op) {
        this._op = null;
        if (op.orig) this._shapes[op.sel] = copyShape(op.orig);
      } else if (this._draft) this._draft = null;
      else return false;
      this._requestDraw();
      return true;
    }

    _hover(p) {
      let cursor = "";
      if (!this._panning() && !this._draft) cursor = this._vertexAt(p, this._sel) >= 0 ? "move" : this._shapeAt(p) >= 0 ? "pointer" : "";
      this._it.stage.style.cursor = cursor;
    }

    /* -------------------------------------------------------------- drawing */

    _drawOverlay(ctx) {
      this._shapes.forEach((s, i) => this._drawShape(ctx, s, i === this._sel));
      if (this._draft) this._drawDraft(ctx, this._colorFor(this._currentLabel));
    }

    _drawShape(ctx, s, selected) {
      const pts = this._screenPts(s), color = this._colorFor(s.label), point = pts.length === 1;
      ctx.save();
      ctx.strokeStyle = ctx.fillStyle = color;
      ctx.lineWidth = selected ? 3 : 2;
      if (!point) {
        ctx.beginPath();
        for (const q of pts) ctx.lineTo(q[0], q[1]);
        if (this._cfg.closed) {
          ctx.closePath();
          ctx.globalAlpha = selected ? 0.3 : 0.15;
          ctx.fill();
          ctx.globalAlpha = 1;
        }
        ctx.stroke();
      }
      for (const q of pts) {
        ctx.beginPath();
        ctx.arc(q[0], q[1], point || selected ? 5 : 2.5, 0, Math.PI * 2);
        ctx.fillStyle = selected && !point ? "#fff" : color;
        ctx.fill();
        if (point || selected) { ctx.lineWidth = 1.5; ctx.strokeStyle = selected ? color : "#fff"; ctx.stroke(); }
      }
      ctx.font = "12px system-ui,sans-serif";
      const tw = ctx.measureText(s.label).width + 8, [x, y] = pts[0];
      ctx.fillStyle = color;
      ctx.fillRect(x + 7, y - 22, tw, 16);
      ctx.fillStyle = "#fff";
      ctx.fillText(s.label, x + 11, y - 10);
      ctx.restore();
    }
  }

  window.CrowdImageTool.VertexTool = VertexTool;
})();

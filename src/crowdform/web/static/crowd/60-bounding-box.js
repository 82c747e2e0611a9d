/* 60-bounding-box.js: <crowd-bounding-box> (spec 5.3). Boxes are kept as floating-point corners in
   image pixels and rounded only in the answer: left = round(x0), width = round(x1) - round(x0). */
(() => {
  "use strict";
  const { ShapeListTool, clamp } = window.CrowdImageTool;
  const HANDLE = 6; // half size of a resize handle, screen px
  const HANDLES = ["nw", "n", "ne", "e", "se", "s", "sw", "w"];
  const CURSORS = { nw: "nwse-resize", se: "nwse-resize", ne: "nesw-resize", sw: "nesw-resize", n: "ns-resize", s: "ns-resize", e: "ew-resize", w: "ew-resize" };

  const copy = (b) => ({ label: b.label, x0: b.x0, y0: b.y0, x1: b.x1, y1: b.y1 });
  const zeroArea = (b) => Math.round(b.x1) === Math.round(b.x0) || Math.round(b.y1) === Math.round(b.y0);
  const same = (a, b) => a.x0 === b.x0 && a.y0 === b.y0 && a.x1 === b.x1 && a.y1 === b.y1 && a.label === b.label;

  function num(v) {
    const n = Number(v);
    return Number.isFinite(n) ? n : NaN;
  }

  class CrowdBoundingBoxElement extends ShapeListTool {
    get _noun() { return "box"; }

    _copyShape(b) { return copy(b); }

    _tools() { return [{ id: "box", text: "Box", title: "Draw a box (B)", key: "b" }]; }

    _readInitialValue(value) {
      this._shapes = [];
      this._sel = -1;
      this._op = null;
      if (value === undefined) return;
      if (!Array.isArray(value)) value = value && Array.isArray(value.boundingBoxes) ? value.boundingBoxes : [];
      for (const b of value) {
        if (!b || typeof b !== "object") continue;
        const left = num(b.left), top = num(b.top), width = num(b.width), height = num(b.height);
        if ([left, top, width, height].some(Number.isNaN)) { console.warn(`<${this.localName}>: initial box without numeric left/top/width/height dropped`, b); continue; }
        const label = String(b.label);
        if (!this._knownLabel(label)) continue;
        this._shapes.push({ label, x0: Math.min(left, left + width), y0: Math.min(top, top + height), x1: Math.max(left, left + width), y1: Math.max(top, top + height) });
      }
      this._selChanged();
    }

    _answerShapes() {
      return {
        boundingBoxes: (this._shapes || []).map((b) => {
          const left = Math.round(b.x0), top = Math.round(b.y0);
          return { height: Math.round(b.y1) - top, label: b.label, left, top, width: Math.round(b.x1) - left };
        }),
      };
    }

    /* -------------------------------------------------------------- edits (undoable) */

    /* -------------------------------------------------------------- gestures */

    _screenRect(b) {
      const [x0, y0] = this.toScreen(b.x0, b.y0), [x1, y1] = this.toScreen(b.x1, b.y1);
      return { x0, y0, x1, y1 };
    }

    _handleAt(p) {
      const b = this._shapes[this._sel];
      if (!b) return null;
      const r = this._screenRect(b), mx = (r.x0 + r.x1) / 2, my = (r.y0 + r.y1) / 2;
      const pos = { nw: [r.x0, r.y0], n: [mx, r.y0], ne: [r.x1, r.y0], e: [r.x1, my], se: [r.x1, r.y1], s: [mx, r.y1], sw: [r.x0, r.y1], w: [r.x0, my] };
      for (const h of ["nw", "ne", "se", "sw", "n", "e", "s", "w"]) {
        if (Math.abs(p.sx - pos[h][0]) <= HANDLE + 2 && Math.abs(p.sy - pos[h][1]) <= HANDLE + 2) return h;
      }
      return null;
    }

    _inside(b, p) { return b && p.x >= b.x0 && p.x <= b.x1 && p.y >= b.y0 && p.y <= b.y1; }

    _boxAt(p) {
      for (let i = this._shapes.length - 1; i >= 0; i--) if (this._inside(this._shapes[i], p)) return i;
      return -1;
    }

    _down(p) {
      const before = this._shapes.map(copy);
      const handle = this._handleAt(p);
      if (handle) this._op = { kind: "resize", handle, before, sel: this._sel, orig: copy(this._shapes[this._sel]) };
      else if (this._inside(this._shapes[this._sel], p)) this._op = { kind: "move", start: p, before, sel: this._sel, orig: copy(this._shapes[this._sel]) };
      else this._op = { kind: "press", start: p, before, sel: this._sel };
    }

    _move(p) {
      const op = this._op;
      if (!op) return;
      const n = this._natural;
      if (op.kind === "press") {
        if (Math.hypot(p.sx - op.start.sx, p.sy - op.start.sy) < 3) return;
        if (this._currentLabel == null) { this._setStatus("Choose a label first."); return; }
        const a = this._clampPoint(op.start);
        Object.assign(op, { kind: "draw", ax: a.x, ay: a.y });
        this._sel = -1;
        this._selChanged();
      }
      if (op.kind === "draw") {
        const q = this._clampPoint(p);
        op.box = { label: this._currentLabel, x0: Math.min(op.ax, q.x), y0: Math.min(op.ay, q.y), x1: Math.max(op.ax, q.x), y1: Math.max(op.ay, q.y) };
      } else if (op.kind === "move") {
        const o = op.orig, w = o.x1 - o.x0, h = o.y1 - o.y0;
        const x0 = clamp(o.x0 + p.x - op.start.x, 0, Math.max(0, n.width - w));
        const y0 = clamp(o.y0 + p.y - op.start.y, 0, Math.max(0, n.height - h));
        Object.assign(this._shapes[op.sel], { x0, y0, x1: x0 + w, y1: y0 + h });
      } else if (op.kind === "resize") {
        const q = this._clampPoint(p), o = op.orig, h = op.handle;
        let x0 = o.x0, y0 = o.y0, x1 = o.x1, y1 = o.y1;
        if (h.includes("w")) x0 = q.x;
        if (h.includes("e")) x1 = q.x;
        if (h.includes("n")) y0 = q.y;
        if (h.includes("s")) y1 = q.y;
        Object.assign(this._shapes[op.sel], { x0: Math.min(x0, x1), x1: Math.max(x0, x1), y0: Math.min(y0, y1), y1: Math.max(y0, y1) });
      }
      this._requestDraw();
    }

    _up(p) {
      const op = this._op;
      if (!op) return;
      this._move(p);
      this._op = null;
      if (op.kind === "press") {
        this._sel = this._boxAt(p);
        this._selChanged();
      } else if (op.kind === "draw") {
        if (op.box && !zeroArea(op.box)) {
          // A new box is not selected: workers pick the next label and draw on, and picking a label
          // must not relabel the box they just drew. Clicking a box selects it for editing.
          this._shapes.push(op.box);
          this._sel = -1;
          this._selChanged();
          this._commitShapes(op.before, op.sel);
        }
      } else {
        const b = this._shapes[op.sel];
        if (zeroArea(b)) {
          this._shapes.splice(op.sel, 1);
          this._sel = -1;
          this._selChanged();
          this._commitShapes(op.before, op.sel);
        } else if (!same(b, op.orig)) this._commitShapes(op.before, op.sel);
        else if (op.kind === "move") { this._sel = this._boxAt(p); this._selChanged(); }
      }
      this._requestDraw();
    }

    _cancelOp() {
      const op = this._op;
      if (!op) return false;
      this._op = null;
      if (op.orig) this._shapes[op.sel] = copy(op.orig);
      this._requestDraw();
      return true;
    }

    _hover(p) {
      let cursor = "";
      if (!this._panning()) {
        const h = this._handleAt(p);
        cursor = h ? CURSORS[h] : this._inside(this._shapes[this._sel], p) ? "move" : "";
      }
      this._it.stage.style.cursor = cursor;
    }

    /* -------------------------------------------------------------- drawing */

    _drawOverlay(ctx) {
      const boxes = this._shapes.slice();
      const op = this._op;
      boxes.forEach((b, i) => this._drawBox(ctx, b, i === this._sel && !(op && op.kind === "draw")));
      if (op && op.kind === "draw" && op.box) this._drawBox(ctx, op.box, false, true);
      const hp = this._hoverPoint;
      if (hp && !this._drag && !this._panning() && this._currentLabel != null) {
        // Crosshair guides through the cursor, to line edges up with the object.
        ctx.save();
        ctx.strokeStyle = "rgba(255,255,255,.7)";
        ctx.setLineDash([4, 4]);
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(hp.sx, 0); ctx.lineTo(hp.sx, this._view.bh);
        ctx.moveTo(0, hp.sy); ctx.lineTo(this._view.bw, hp.sy);
        ctx.stroke();
        ctx.restore();
      }
    }

    _drawBox(ctx, b, selected, drawing) {
      const r = this._screenRect(b), color = this._colorFor(b.label);
      const w = r.x1 - r.x0, h = r.y1 - r.y0;
      ctx.save();
      ctx.fillStyle = color;
      ctx.globalAlpha = selected ? 0.25 : 0.12;
      ctx.fillRect(r.x0, r.y0, w, h);
      ctx.globalAlpha = 1;
      ctx.strokeStyle = color;
      ctx.lineWidth = selected ? 3 : 2;
      if (drawing) ctx.setLineDash([6, 4]);
      ctx.strokeRect(r.x0, r.y0, w, h);
      ctx.setLineDash([]);
      ctx.font = "12px system-ui,sans-serif";
      const tw = ctx.measureText(b.label).width + 8;
      const ty = r.y0 >= 16 ? r.y0 - 16 : r.y0;
      ctx.fillRect(r.x0 - (selected ? 1.5 : 1), ty, tw, 16);
      ctx.fillStyle = "#fff";
      ctx.fillText(b.label, r.x0 + 3, ty + 12);
      if (selected) {
        const mx = (r.x0 + r.x1) / 2, my = (r.y0 + r.y1) / 2;
        const pts = { nw: [r.x0, r.y0], n: [mx, r.y0], ne: [r.x1, r.y0], e: [r.x1, my], se: [r.x1, r.y1], s: [mx, r.y1], sw: [r.x0, r.y1], w: [r.x0, my] };
        ctx.fillStyle = "#fff";
        ctx.lineWidth = 1.5;
        for (const hname of HANDLES) {
          const [x, y] = pts[hname];
          ctx.fillRect(x - HANDLE, y - HANDLE, HANDLE * 2, HANDLE * 2);
          ctx.strokeRect(x - HANDLE, y - HANDLE, HANDLE * 2, HANDLE * 2);
        }
      }
      ctx.restore();
    }
  }

  window.CrowdCore.define("crowd-bounding-box", CrowdBoundingBoxElement);
})();

/* 51-shape-list.js: what the tools whose answer is a list of labelled shapes share (crowd-bounding-box
   and the vertex tools of 55-vertex-tool.js): the shapes and the selected one, the Delete button,
   deleting, deselecting and relabelling the selected shape, each edit undoable. A subclass keeps its
   shapes in `this._shapes` and gives `_copyShape(shape)` (a deep copy, for undo) and `_noun`. */
(() => {
  "use strict";
  const { ImageToolElement, el } = window.CrowdImageTool;

  class ShapeListTool extends ImageToolElement {
    _barExtras() {
      this._delButton = el("button", { type: "button", class: "it-delete", title: `Delete the selected ${this._noun} (Delete)`,
        disabled: true, onclick: () => this._deleteSelected() }, "Delete");
      return [this._delButton];
    }

    /** Is a gesture or a shape in progress? Then the selection is not edited. */
    _busyEditing() { return Boolean(this._op); }

    _copyAll(shapes) { return shapes.map((s) => this._copyShape(s)); }

    /** Record the change from `before` (with `beforeSel` selected) to the current shapes as one undo step. */
    _commitShapes(before, beforeSel) {
      const after = this._copyAll(this._shapes), afterSel = this._sel;
      this._commit({
        undo: () => { this._shapes = this._copyAll(before); this._sel = beforeSel; this._selChanged(); },
        redo: () => { this._shapes = this._copyAll(after); this._sel = afterSel; this._selChanged(); },
      });
    }

    _deleteSelected() {
      if (this._busyEditing() || this._sel < 0) return false;
      const before = this._copyAll(this._shapes), sel = this._sel;
      this._shapes.splice(sel, 1);
      this._sel = -1;
      this._selChanged();
      this._commitShapes(before, sel);
      return true;
    }

    _deselect() {
      if (this._sel < 0) return false;
      this._sel = -1;
      this._selChanged();
      return true;
    }

    /** Picking a label relabels the selected shape (a new shape is never left selected: see the tools). */
    _labelPicked(label) {
      const shape = this._shapes[this._sel];
      if (!shape || shape.label === label || this._busyEditing()) return;
      const before = this._copyAll(this._shapes);
      shape.label = label;
      this._commitShapes(before, this._sel);
    }

    _selChanged() {
      if (this._delButton) this._delButton.disabled = this._sel < 0;
      this._requestDraw();
    }
  }

  window.CrowdImageTool.ShapeListTool = ShapeListTool;
})();

/* 65-keypoint.js: <crowd-keypoint> (spec 5.17). A keypoint is a one-vertex shape of the shared vertex
   tool (55-vertex-tool.js): click to place, drag to move, select and Delete to remove. */
(() => {
  "use strict";
  class CrowdKeypointElement extends window.CrowdImageTool.VertexTool {
    static get shape() {
      return { key: "keypoints", noun: "point", tool: "Point", hotkey: "p", min: 1, max: 1,
        title: "Place a point with the chosen label (P)" };
    }

    _itemPoints(item) { return [{ x: Number(item.x ?? NaN), y: Number(item.y ?? NaN) }]; }

    _out(s) { return { label: s.label, x: Math.round(s.pts[0].x), y: Math.round(s.pts[0].y) }; }
  }
  window.CrowdCore.define("crowd-keypoint", CrowdKeypointElement);
})();

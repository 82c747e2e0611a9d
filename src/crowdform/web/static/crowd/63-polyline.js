/* 63-polyline.js: <crowd-polyline> (spec 5.21). Click the vertices, press Enter (or click the last
   vertex again) to finish; Escape cancels, a one-vertex polyline is discarded. `label-colors` colours
   the labels. Editing is shared with the other vertex tools (55-vertex-tool.js). */
(() => {
  "use strict";
  class CrowdPolylineElement extends window.CrowdImageTool.VertexTool {
    static get shape() {
      return { key: "polylines", noun: "polyline", tool: "Polyline", hotkey: "l", min: 2, max: Infinity, colors: true,
        title: "Draw a polyline: click its vertices, then Enter (L)" };
    }
  }
  window.CrowdCore.define("crowd-polyline", CrowdPolylineElement);
})();

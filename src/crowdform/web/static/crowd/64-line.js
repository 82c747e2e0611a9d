/* 64-line.js: <crowd-line> (spec 5.18). A line is two vertices, start then end: two clicks, or a
   drag from start to end. `label-colors` colours the labels. Shared code: 55-vertex-tool.js. */
(() => {
  "use strict";
  class CrowdLineElement extends window.CrowdImageTool.VertexTool {
    static get shape() {
      return { key: "lines", noun: "line", tool: "Line", hotkey: "l", min: 2, max: 2, colors: true,
        title: "Draw a line: click its start, then its end, or drag (L)" };
    }
  }
  window.CrowdCore.define("crowd-line", CrowdLineElement);
})();

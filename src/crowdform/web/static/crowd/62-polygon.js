/* 62-polygon.js: <crowd-polygon> (spec 5.20). Click the corners; click the first one again (or press
   Enter with 3 or more) to close. The answer lists the vertices in drawing order, the first vertex
   not repeated. Editing is shared with the other vertex tools (55-vertex-tool.js). */
(() => {
  "use strict";
  class CrowdPolygonElement extends window.CrowdImageTool.VertexTool {
    static get shape() {
      return { key: "polygons", noun: "polygon", tool: "Polygon", hotkey: "p", min: 3, max: Infinity, closed: true,
        title: "Draw a polygon: click its corners, then the first corner or Enter (P)" };
    }
  }
  window.CrowdCore.define("crowd-polygon", CrowdPolygonElement);
})();

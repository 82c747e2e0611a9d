// The data object viewer: draws the shapes of each worker's answer and of the consolidated label over
// the image, one colour per source, in an SVG laid over the <img> in image pixels.
//
// Shapes are found wherever they sit in an answer, so custom templates and built-in outputs alike
// are drawn (a bounding-box job's label is {image_size, annotations: [{class_id, left, ...}]}, its
// classes named by the metadata's class-map): {left, top, width, height} is a box, {vertices | points: [{x, y}, ...]} a polygon, and
// {x, y} a keypoint. Strings holding JSON (a consolidation hook's annotationData.content) are read too.
(function () {
  "use strict";
  const dataElement = document.getElementById("viewer-data");
  const image = document.getElementById("viewer-image");
  const svg = document.getElementById("viewer-overlay");
  const legend = document.getElementById("viewer-legend");
  if (!dataElement || !legend) return;
  const data = JSON.parse(dataElement.textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const COLOURS = ["#ff9900", "#0972d3", "#1d8102", "#d13212", "#8c4fff", "#00a1c9", "#c7007d", "#5f6b7a"];

  const isNumber = (v) => typeof v === "number" && Number.isFinite(v);
  const isPoint = (v) => v && typeof v === "object" && isNumber(v.x) && isNumber(v.y);

  // A shape's label: its own, else its class_id through the consolidated label's class-map (built-in
  // object-detection labels), else through the job's labels in order.
  function labelOf(node) {
    if (typeof node.label === "string") return node.label;
    if (!isNumber(node.class_id)) return "";
    const named = (data.classMap || {})[String(node.class_id)];
    if (typeof named === "string") return named;
    return data.labels[node.class_id] !== undefined ? data.labels[node.class_id] : "";
  }

  // Every shape in `value`, however deep.
  function shapes(value, found) {
    found = found || [];
    if (typeof value === "string") {
      const text = value.trim();
      if (text.startsWith("{") || text.startsWith("[")) {
        try { shapes(JSON.parse(text), found); } catch (e) { /* plain text, not JSON */ }
      }
    } else if (Array.isArray(value)) {
      value.forEach((item) => shapes(item, found));
    } else if (value && typeof value === "object") {
      const corners = ["left", "top", "width", "height"];
      const polygon = Array.isArray(value.vertices) ? value.vertices : Array.isArray(value.points) ? value.points : null;
      if (corners.every((k) => isNumber(value[k]))) {
        found.push({ kind: "box", label: labelOf(value), left: value.left, top: value.top, width: value.width, height: value.height });
      } else if (polygon && polygon.length > 1 && polygon.every(isPoint)) {
        found.push({ kind: "polygon", label: labelOf(value), points: polygon });
      } else if (isPoint(value)) {
        found.push({ kind: "point", label: labelOf(value), x: value.x, y: value.y });
      } else {
        Object.keys(value).forEach((key) => shapes(value[key], found));
      }
    }
    return found;
  }

  // The consolidated label is drawn first, so the workers' own shapes lie on top of it.
  const sources = data.label === null ? [] : [{ name: "Consolidated label", value: data.label, consolidated: true }];
  data.answers.filter((a) => a.answer !== null).forEach((a) => sources.push({ name: a.worker, value: a.answer }));

  function element(name, attributes) {
    const node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach((key) => node.setAttribute(key, attributes[key]));
    return node;
  }

  function draw(group, shape, colour, size) {
    let node;
    if (shape.kind === "box") {
      node = element("rect", { x: shape.left, y: shape.top, width: shape.width, height: shape.height });
    } else if (shape.kind === "polygon") {
      node = element("polygon", { points: shape.points.map((p) => p.x + "," + p.y).join(" ") });
    } else {
      node = element("circle", { cx: shape.x, cy: shape.y, r: size / 120 });
    }
    node.setAttribute("class", "shape shape-" + shape.kind);
    node.setAttribute("stroke", colour);
    node.setAttribute("fill", shape.kind === "point" ? colour : "none");
    node.setAttribute("vector-effect", "non-scaling-stroke");
    group.appendChild(node);
    if (shape.label) {
      const at = shape.kind === "box" ? [shape.left, shape.top] : shape.kind === "polygon" ? [shape.points[0].x, shape.points[0].y] : [shape.x, shape.y];
      const text = element("text", { x: at[0] + 2, y: at[1] - 3, fill: colour, "font-size": size / 45 });
      text.textContent = shape.label;
      group.appendChild(text);
    }
  }

  function render() {
    const width = image ? image.naturalWidth : 0;
    const height = image ? image.naturalHeight : 0;
    if (svg && width && height) svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    sources.forEach((source, i) => {
      const colour = source.consolidated ? "#16191f" : COLOURS[(i - (sources[0].consolidated ? 1 : 0)) % COLOURS.length];
      const found = shapes(source.value);
      let group = null;
      if (svg && width && height) {
        group = element("g", { "data-source": source.name, class: source.consolidated ? "consolidated" : "" });
        found.forEach((shape) => draw(group, shape, colour, Math.max(width, height)));
        svg.appendChild(group);
      }
      const item = document.createElement("li");
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = true;
      box.addEventListener("change", () => { if (group) group.style.display = box.checked ? "" : "none"; });
      const swatch = document.createElement("span");
      swatch.className = "swatch" + (source.consolidated ? " consolidated" : "");
      swatch.style.background = colour;
      label.append(box, swatch, document.createTextNode(" " + source.name + " (" + found.length + (found.length === 1 ? " shape)" : " shapes)")));
      item.appendChild(label);
      legend.appendChild(item);
    });
    if (!sources.length) legend.textContent = "No answers yet.";
    document.getElementById("viewer").dataset.drawn = "true";  // for scripts and tests
  }

  if (image && !image.complete) {
    image.addEventListener("load", render, { once: true });
    image.addEventListener("error", render, { once: true });
  } else {
    render();
  }
})();

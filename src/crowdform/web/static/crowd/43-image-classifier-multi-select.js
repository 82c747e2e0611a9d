/* 43-image-classifier-multi-select.js: <crowd-image-classifier-multi-select> (5.13): the image
   classifier (41: image, overlay, worker comment) made multi-select by the mixin of 42. */
(() => {
  "use strict";
  const C = window.CrowdCore;
  const Base = customElements.get("crowd-image-classifier");
  if (Base && C.multiSelect) C.define("crowd-image-classifier-multi-select", C.multiSelect(Base));
})();

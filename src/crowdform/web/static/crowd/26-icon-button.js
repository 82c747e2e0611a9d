/* 26-icon-button.js: <crowd-icon-button> (5.11): an icon button with a ripple on press (base in 25). */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const CSS = `button{width:40px;height:40px;border-radius:50%;background:none;color:var(--crowd-muted)}
button:hover:not(:disabled){background:#eaeded;color:var(--crowd-text)}
button .icon svg{width:24px;height:24px}`;

  class CrowdIconButtonElement extends C.IconButtonBase {
    static get css() { return CSS; }
  }

  C.define("crowd-icon-button", CrowdIconButtonElement);
})();

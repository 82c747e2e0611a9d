/* 35-slider.js: <crowd-slider> (spec 5.25): a styled native range with pin, editable step buttons,
   secondary-progress and <crowd-slider-label position> ticks. Contributes a JSON number, always. */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const CSS = `:host{display:block;margin:8px 0}
.wrap{display:flex;align-items:center;gap:8px}
.track{position:relative;flex:1;min-width:80px;padding-top:22px}
input{-webkit-appearance:none;appearance:none;display:block;width:100%;height:16px;margin:0;background:none;cursor:pointer}
input::-webkit-slider-runnable-track{height:4px;border-radius:2px;background:var(--track)}
input::-moz-range-track{height:4px;border-radius:2px;background:var(--track)}
input::-webkit-slider-thumb{-webkit-appearance:none;width:16px;height:16px;margin-top:-6px;border:0;border-radius:50%;background:var(--crowd-primary)}
input::-moz-range-thumb{width:16px;height:16px;border:0;border-radius:50%;background:var(--crowd-primary)}
input:disabled{cursor:default;filter:grayscale(1);opacity:.6}
.pin{position:absolute;top:0;transform:translateX(-50%);background:var(--crowd-primary);color:#fff;font-size:12px;line-height:18px;padding:0 6px;border-radius:9px;pointer-events:none;visibility:hidden;white-space:nowrap}
:host([pin]) .track:focus-within .pin,:host([pin]) .track:active .pin{visibility:visible}
.ticks{position:relative;height:1.3em;font-size:.8em;color:var(--crowd-muted)}
.ticks:empty{display:none}
.tick{position:absolute;transform:translateX(-50%);white-space:nowrap}
.step{width:28px;height:28px;padding:0;justify-content:center;border-radius:50%;font-size:18px;line-height:1}
.value{min-width:3em;text-align:center;font-variant-numeric:tabular-nums}
::slotted(crowd-slider-label){display:none}
[hidden]{display:none!important}`;

  const at = (f) => `calc(8px + (100% - 16px) * ${f})`;

  class CrowdSliderElement extends C.CrowdElement {
    static get shadowOptions() { return { delegatesFocus: true }; }
    static get upgradeProps() { return ["value"]; }
    static get observedAttributes() { return ["min", "max", "step", "value", "disabled", "editable", "secondary-progress"]; }

    render(root) {
      C.style(root, CSS);
      root.innerHTML += `<div class="wrap" part="slider"><button type="button" class="btn step down" aria-label="Decrease" hidden>\u2212</button>
<div class="track"><output class="pin" part="pin"></output><input type="range" part="range"><div class="ticks"></div></div>
<button type="button" class="btn step up" aria-label="Increase" hidden>+</button><span class="value" hidden></span></div><slot></slot>`;
      this._r = root.querySelector("input");
      this._limits();
      this._r.value = String(this._pending !== undefined ? this._pending : C.parseNumber(this.getAttribute("value"), this.min));
      this._pending = undefined;
      this._show();
      new MutationObserver(() => this._ticks()).observe(this, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["position"] });
      this._ticks();
    }

    _limits() {
      const r = this._r;
      r.min = String(this.min);
      r.max = String(Math.max(this.min, this.max));
      r.step = String(this.step > 0 ? this.step : 1);
      r.disabled = this.hasAttribute("disabled");
      r.setAttribute("aria-label", this.getAttribute("aria-label") || this.name || "Value");
      for (const b of this.shadowRoot.querySelectorAll(".step,.value")) b.hidden = !this.hasAttribute("editable");
      for (const b of this.shadowRoot.querySelectorAll(".step")) b.disabled = r.disabled;
    }

    attributeChanged(name) {
      this._limits();
      if (name === "value") this._r.value = String(C.parseNumber(this.getAttribute("value"), this.min));
      this._show();
    }

    _fraction(v) { const span = this.max - this.min; return span > 0 ? Math.min(1, Math.max(0, (v - this.min) / span)) : 0; }

    /** Refresh the track fill, the pin and the value text. */
    _show() {
      const v = this.value;
      const p = this._fraction(v) * 100;
      const s = this.hasAttribute("secondary-progress") ? Math.max(p, this._fraction(C.parseNumber(this.getAttribute("secondary-progress"), v)) * 100) : p;
      this._r.style.setProperty("--track", `linear-gradient(to right,var(--crowd-primary) 0 ${p}%,var(--crowd-slider-secondary-color) ${p}% ${s}%,var(--crowd-line) ${s}% 100%)`);
      const pin = this.shadowRoot.querySelector(".pin");
      pin.textContent = String(v);
      pin.style.left = at(p / 100);
      this.shadowRoot.querySelector(".value").textContent = String(v);
    }

    _ticks() {
      const box = this.shadowRoot.querySelector(".ticks");
      box.replaceChildren(...[...this.querySelectorAll("crowd-slider-label")].map((l) => {
        const t = document.createElement("span");
        t.className = "tick";
        t.textContent = l.textContent.trim();
        t.style.left = at(this._fraction(C.parseNumber(l.getAttribute("position"), this.min)));
        return t;
      }));
    }

    connected(signal) {
      const r = this._r;
      r.addEventListener("input", () => this._show(), { signal });
      r.addEventListener("change", () => this.dispatchEvent(new Event("change", { bubbles: true })), { signal });
      for (const [sel, dir] of [[".down", -1], [".up", 1]]) {
        this.shadowRoot.querySelector(sel).addEventListener("click", () => {
          const before = r.value;
          if (dir > 0) r.stepUp(); else r.stepDown();
          if (r.value === before) return;
          this._show();
          this.dispatchEvent(new Event("input", { bubbles: true, composed: true }));
          this.dispatchEvent(new Event("change", { bubbles: true }));
        }, { signal });
      }
    }

    get value() {
      if (this._r) return Number(this._r.value);
      return this._pending !== undefined ? this._pending : C.parseNumber(this.getAttribute("value"), this.min);
    }
    set value(v) {
      const n = Number(v);
      if (Number.isNaN(n)) return;
      if (!this._r) { this._pending = n; return; }
      this._r.value = String(n);
      this._show();
    }

    answer() { return this.value; }
    _reset() { if (this._r) { this._r.value = String(C.parseNumber(this.getAttribute("value"), this.min)); this._show(); } }
  }
  C.reflect(CrowdSliderElement, {
    min: ["min", "number", 0], max: ["max", "number", 100], step: ["step", "number", 1],
    pin: ["pin", "bool"], editable: ["editable", "bool"], disabled: ["disabled", "bool"], required: ["required", "bool"],
    secondaryProgress: ["secondary-progress", "number"],
  });

  /** <crowd-slider-label> (undocumented; AWS's generative-AI evaluation sample): a tick its slider
      draws at `position`; contributes nothing. */
  class CrowdSliderLabelElement extends HTMLElement {}
  C.reflect(CrowdSliderLabelElement, { position: ["position", "number"] });

  C.define("crowd-slider", CrowdSliderElement);
  C.define("crowd-slider-label", CrowdSliderLabelElement);
})();

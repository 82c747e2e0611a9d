/* 30-input.js: <crowd-input> (5.14) and the text field it shares with <crowd-text-area>: floating
   label, preset value, length limits, auto-validate/allowed-pattern. Contributes its text if any. */
(() => {
  "use strict";
  const C = window.CrowdCore;
  const ALWAYS_FLOAT = /^(date|datetime-local|month|time|week|color|file|range)$/;

  const CSS = `:host{display:block;margin:8px 0}
.field{position:relative;display:flex;flex-direction:column}
.field.has-label{padding-top:18px}
.label{position:absolute;left:9px;top:25px;line-height:18px;color:var(--crowd-muted);pointer-events:none;transition:top .12s,left .12s,font-size .12s;white-space:nowrap;overflow:hidden;max-width:calc(100% - 18px)}
.field:not(.has-label) .label{display:none}
.field.float .label,.field:focus-within .label{top:0;left:1px;font-size:.8em}
.field:focus-within .label{color:var(--crowd-primary)}
.control{font:inherit;color:inherit;width:100%;padding:6px 8px;border:1px solid var(--crowd-border);border-radius:2px;background:var(--crowd-bg);margin:0}
textarea.control{line-height:20px;resize:vertical;display:block}
.control:focus{outline:none;border-color:var(--crowd-primary);box-shadow:0 0 0 1px var(--crowd-primary)}
:host([data-invalid]) .control{border-color:var(--crowd-error)}
:host([data-invalid]) .label{color:var(--crowd-error)}
.field.has-label:not(.float):not(:focus-within) .control::placeholder{color:transparent}
.control:disabled{background:#f2f3f3;color:var(--crowd-muted)}
.counter{text-align:right;font-size:.8em;color:var(--crowd-muted);margin-top:2px}
[hidden]{display:none}`;

  /** Base of the text fields: subclasses give _control() (the native input or textarea). */
  class TextFieldElement extends C.CrowdElement {
    static get shadowOptions() { return { delegatesFocus: true }; }
    static get upgradeProps() { return ["value"]; }
    static get observedAttributes() {
      return ["label", "placeholder", "value", "type", "required", "disabled", "auto-validate", "allowed-pattern",
        "error-message", "max-length", "min-length", "rows", "max-rows", "char-counter"];
    }

    render(root) {
      C.style(root, CSS);
      root.innerHTML += `<div class="field" part="field"><label class="label" part="label" for="control"></label></div>
<p class="crowd-error" role="alert"></p><div class="counter" part="counter" hidden></div><slot></slot>`;
      const c = (this._c = this._control());
      c.className = "control";
      c.id = "control";
      c.setAttribute("part", "input");
      root.querySelector(".field").append(c);
      c.value = this._pending !== undefined ? this._pending : this.getAttribute("value") || "";
      this._sync();
    }

    attributeChanged(name) {
      if (name === "value" && !this._dirty) this._c.value = this.getAttribute("value") || "";
      this._sync();
    }

    /** Copy attributes onto the native control; refresh label and counter. */
    _sync() {
      const c = this._c;
      const label = this.getAttribute("label") || "";
      const max = C.parseNumber(this.getAttribute("max-length"), -1);
      c.placeholder = this.getAttribute("placeholder") || "";
      c.disabled = this.hasAttribute("disabled");
      if (max >= 0) c.maxLength = max;
      else c.removeAttribute("maxlength");
      c.setAttribute("aria-required", String(this.hasAttribute("required")));
      const field = this.shadowRoot.querySelector(".field");
      this.shadowRoot.querySelector(".label").textContent = label;
      field.classList.toggle("has-label", !!label);
      field.classList.toggle("float", c.value !== "" || ALWAYS_FLOAT.test(c.type));
      const counter = this.shadowRoot.querySelector(".counter");
      counter.hidden = !this.hasAttribute("char-counter");
      counter.textContent = max >= 0 ? `${c.value.length}/${max}` : String(c.value.length);
    }

    connected(signal) {
      const c = this._c;
      c.addEventListener("input", () => {
        this._dirty = true;
        this._sync();
        if (this.hasAttribute("auto-validate") || this.hasAttribute("data-invalid")) this.setError(this.validate());
      }, { signal });
      c.addEventListener("change", () => this.dispatchEvent(new Event("change", { bubbles: true })), { signal });
      c.addEventListener("beforeinput", (e) => {
        const re = this._allowed();
        if (!re || !e.data || !this.hasAttribute("auto-validate")) return;
        if ([...e.data].some((ch) => !re.test(ch))) e.preventDefault();
      }, { signal });
      if (this.hasAttribute("auto-focus") && !this._focused) {
        this._focused = true;
        setTimeout(() => c.focus());
      }
    }

    _allowed() {
      const src = this.getAttribute("allowed-pattern");
      if (!src) return null;
      try { return new RegExp(src); } catch (err) {
        console.error(`<${this.localName}> allowed-pattern ${JSON.stringify(src)}: ${err.message}`);
        return null;
      }
    }

    get value() {
      const v = this._c ? this._c.value : this._pending !== undefined ? this._pending : this.getAttribute("value") || "";
      return v.replace(/\r\n?/g, "\n");
    }

    set value(v) {
      const text = v == null ? "" : String(v);
      this._dirty = true;
      if (!this._c) { this._pending = text; return; }
      this._c.value = text;
      this._sync();
    }

    answer() {
      if (this.getAttribute("type") === "file") {
        console.warn(`<${this.localName} name="${this.name}">: type="file" is not supported and is not submitted`);
        return undefined;
      }
      const v = this.value;
      return v === "" ? undefined : v;
    }

    validate() {
      if (this.getAttribute("type") === "file") return null;
      const v = this.value;
      const custom = this.getAttribute("error-message");
      const min = C.parseNumber(this.getAttribute("min-length"), 0);
      if (this.hasAttribute("required") && v === "") return custom || "This field is required.";
      if (v !== "" && v.length < min) return custom || `Enter at least ${min} characters.`;
      if (this._c && !this._c.checkValidity()) return custom || this._c.validationMessage;
      return null;
    }

    focus(options) { if (this._c) this._c.focus(options); else super.focus(options); }

    _reset() {
      this._dirty = false;
      this._pending = undefined;
      if (this._c) { this._c.value = this.getAttribute("value") || ""; this._sync(); }
    }
  }
  C.reflect(TextFieldElement, {
    label: ["label", "string"], placeholder: ["placeholder", "string"], required: ["required", "bool"],
    disabled: ["disabled", "bool"], autoValidate: ["auto-validate", "bool"], autoFocus: ["auto-focus", "bool"],
    allowedPattern: ["allowed-pattern", "string"], errorMessage: ["error-message", "string"],
    maxLength: ["max-length", "number"], minLength: ["min-length", "number"],
  });

  class CrowdInputElement extends TextFieldElement {
    _control() {
      const input = document.createElement("input");
      input.type = this.getAttribute("type") || "text";
      return input;
    }

    _sync() {
      const type = this.getAttribute("type") || "text";
      if (this._c.type !== type) this._c.type = type;
      super._sync();
    }
  }
  C.reflect(CrowdInputElement, { type: ["type", "string", "text"] });

  C.TextFieldElement = TextFieldElement;
  C.define("crowd-input", CrowdInputElement);
})();

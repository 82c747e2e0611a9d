/* 73-question-answer-generation.js: <crowd-question-answer-generation> (7.2): question-answer pairs
   about the passage `text`, with tags and text references (UTF-16 offsets into `text`); provisional
   answer (Q 23): {"questionAnswerPairs": [{question, answer, tags, references: [{startOffset, endOffset}]}]}. */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const CSS = `.passage{display:block;width:100%;font:inherit;line-height:1.5;padding:12px;border:1px solid var(--crowd-line);border-radius:var(--crowd-radius);background:var(--crowd-panel);resize:vertical;field-sizing:content;min-height:4em}
.pair{border:1px solid var(--crowd-line);border-radius:var(--crowd-radius);padding:12px;margin:12px 0 0}
.pair-head{display:flex;justify-content:space-between;font-weight:600;margin-bottom:8px}
.pair label{display:block;margin:0 0 8px;font-size:.875em;font-weight:600}
.pair input[type=text]{display:block;width:100%;font:inherit;font-weight:400;padding:5px 8px;margin-top:2px;border:1px solid var(--crowd-border);border-radius:2px}
.chips{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:0 0 8px}
.chip{font:inherit;font-size:.875em;border:1px solid var(--crowd-border);border-radius:12px;padding:2px 10px;background:var(--crowd-bg);cursor:pointer}
.chip[aria-pressed=true]{background:var(--crowd-primary);border-color:var(--crowd-primary);color:#fff}
.ref{font-size:.875em;background:var(--crowd-primary-light);border:1px solid var(--crowd-primary);border-radius:3px;padding:1px 6px}
.ref button{border:none;background:none;cursor:pointer;padding:0 0 0 4px}
.chips input.custom{width:10em;display:inline-block;margin:0}
.add{margin-top:12px}`;

  const words = (s) => (s.trim() ? s.trim().split(/\s+/).length : 0);

  class CrowdQuestionAnswerGenerationElement extends C.CrowdElement {
    static get observedAttributes() { return ["text", "question-tags"]; }

    render(root) {
      C.style(root, C.TOOL_CSS, CSS);
      const box = (this._box = C.toolLayout(root, this, { header: "" }));
      box.innerHTML = `<textarea class="passage" aria-readonly="true" spellcheck="false" aria-label="Passage (select text to reference it)"></textarea>
<div class="pairs"></div><button type="button" class="btn add">Add a question</button><p class="crowd-error" role="alert"></p>`;
      this._pairs = [];
      // Not `readonly` (Chromium then has no keyboard caret to select with): edits are refused instead.
      this._$(".passage").addEventListener("beforeinput", (e) => e.preventDefault());
      box.addEventListener("click", (e) => this._click(e));
      box.addEventListener("input", (e) => {
        const i = e.target.closest(".pair") && +e.target.closest(".pair").dataset.i;
        if (e.target.name === "question" || e.target.name === "answer") this._pairs[i][e.target.name] = e.target.value;
      });
      box.addEventListener("keydown", (e) => {
        if (e.key !== "Enter" || !e.target.classList.contains("custom")) return;
        e.preventDefault();
        const tag = e.target.value.trim();
        const p = this._pairs[+e.target.closest(".pair").dataset.i];
        if (tag && !p.tags.includes(tag)) p.tags.push(tag);
        this._draw();
        this._$(`.pair[data-i="${this._pairs.indexOf(p)}"] .custom`).focus();
      });
      this._text();
      this._reset();
    }

    _$(s) { return this.shadowRoot.querySelector(s); }
    attributeChanged(name) { if (name === "text") this._text(); else this._draw(); }
    _text() { this._$(".passage").value = this.getAttribute("text") || ""; }
    _num(attr, def) { return C.parseNumber(this.getAttribute(attr), def); }
    get questionTags() { return (C.readAttribute(this, "question-tags") || []).map(String); }

    _click(e) {
      const b = e.target.closest("button");
      if (!b) return;
      const pair = b.closest(".pair"), p = pair && this._pairs[+pair.dataset.i];
      if (b.classList.contains("add")) {
        if (this._pairs.length < this._num("max-questions", Infinity)) this._pairs.push({ question: "", answer: "", tags: [], references: [] });
      } else if (b.classList.contains("remove")) this._pairs.splice(this._pairs.indexOf(p), 1);
      else if (b.classList.contains("tag")) {
        const t = b.dataset.tag, i = p.tags.indexOf(t);
        if (i < 0) p.tags.push(t); else p.tags.splice(i, 1);
      } else if (b.classList.contains("add-ref")) {
        const ta = this._$(".passage"), s = ta.selectionStart, en = ta.selectionEnd;
        if (en > s && !p.references.some((r) => r.startOffset === s && r.endOffset === en)) p.references.push({ startOffset: s, endOffset: en });
      } else if (b.classList.contains("del-ref")) p.references.splice(+b.dataset.r, 1);
      else return;
      this._draw();
      if (this.hasAttribute("data-invalid")) this.setError(this.validate());
    }

    _draw() {
      const text = this.getAttribute("text") || "", tags = this.questionTags, custom = this.hasAttribute("allow-custom-question-tags");
      const list = this._$(".pairs");
      list.replaceChildren();
      this._pairs.forEach((p, i) => {
        const d = list.appendChild(document.createElement("div"));
        d.className = "pair";
        d.dataset.i = i;
        d.innerHTML = `<div class="pair-head"><span>Question ${i + 1}</span><button type="button" class="btn remove">Remove</button></div>
<label>Question<input type="text" name="question"></label><label>Answer<input type="text" name="answer"></label>
<div class="chips tags"></div><div class="chips refs"><button type="button" class="btn add-ref">Add selected text as reference</button></div>`;
        d.querySelector("[name=question]").value = p.question;
        d.querySelector("[name=answer]").value = p.answer;
        const chips = d.querySelector(".tags");
        for (const t of [...new Set([...tags, ...p.tags])]) {
          const c = chips.appendChild(document.createElement("button"));
          Object.assign(c, { type: "button", className: "chip tag", textContent: t });
          c.dataset.tag = t;
          c.setAttribute("aria-pressed", String(p.tags.includes(t)));
        }
        if (custom) chips.insertAdjacentHTML("beforeend", '<input type="text" class="custom" placeholder="New tag + Enter" aria-label="New tag">');
        chips.hidden = !chips.children.length;
        p.references.forEach((r, k) => {
          const s = d.querySelector(".refs").appendChild(document.createElement("span"));
          s.className = "ref";
          s.textContent = `\u201c${text.slice(r.startOffset, r.endOffset)}\u201d`;
          s.insertAdjacentHTML("beforeend", `<button type="button" class="del-ref" data-r="${k}" aria-label="Remove reference">\u00d7</button>`);
        });
      });
      this._$(".add").disabled = this._pairs.length >= this._num("max-questions", Infinity);
    }

    get value() {
      return { questionAnswerPairs: this._pairs.map((p) => ({ question: p.question, answer: p.answer, tags: p.tags.slice(), references: p.references.map((r) => ({ ...r })) })) };
    }
    answer() { return this.value; }

    validate() {
      const n = this._pairs.length, min = this._num("min-questions", 1), max = this._num("max-questions", Infinity);
      if (n < min) return `Write at least ${min} question-answer pair${min === 1 ? "" : "s"}.`;
      if (n > max) return `Write at most ${max} question-answer pairs.`;
      for (let i = 0; i < n; i++) {
        for (const f of ["question", "answer"]) {
          const w = words(this._pairs[i][f]), lo = this._num(`${f}-min-words`, 1), hi = this._num(`${f}-max-words`, Infinity);
          if (w < lo || w > hi) return `Question ${i + 1}: the ${f} needs ${w < lo ? `at least ${lo}` : `at most ${hi}`} word${(w < lo ? lo : hi) === 1 ? "" : "s"}.`;
        }
      }
      return null;
    }

    focus(o) { const f = this._$(".pair input") || this._$(".add"); if (f) f.focus(o); }

    _reset() {
      this._pairs = [];
      const n = Math.max(1, Math.min(this._num("min-questions", 1), this._num("max-questions", Infinity)));
      for (let i = 0; i < n; i++) this._pairs.push({ question: "", answer: "", tags: [], references: [] });
      this._draw();
    }
  }

  C.define("crowd-question-answer-generation", CrowdQuestionAnswerGenerationElement);
})();

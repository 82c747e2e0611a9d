/* 71-rekognition-detect-moderation-labels.js: <crowd-rekognition-detect-moderation-labels> (6.2):
   the multi-select image classifier (41 + 42) answering under a fixed key (Q 21):
   {"AWS/Rekognition/DetectModerationLabels/Image/V3": {"moderationLabels": [chosen categories]}};
   object categories come back whole, the exclusion choice gives []. */
(() => {
  "use strict";
  const C = window.CrowdCore;
  const Base = customElements.get("crowd-image-classifier");
  if (!Base || !C.multiSelect || !C.answerField) return;
  const KEY = "AWS/Rekognition/DetectModerationLabels/Image/V3";

  class CrowdRekognitionElement extends C.multiSelect(Base) {
    /** Categories as given (strings or objects with `name`), for the answer. */
    get _items() {
      const raw = this._raw !== undefined ? this._raw : C.readAttribute(this, "categories");
      return Array.isArray(raw) ? raw : [];
    }

    get categories() { return super.categories; }
    set categories(v) { this._raw = v; super.categories = v; }

    /** `exclusion-category` is also a bare switch; its text defaults to "None of the above". */
    get _exclusion() {
      if (!this.hasAttribute("exclusion-category")) return null;
      const ex = C.readAttribute(this, "exclusion-category");
      const text = ex && typeof ex === "object" ? ex.text ?? ex.label ?? ex.name : ex;
      return text == null || text === "" ? "None of the above" : String(text);
    }

    attributeChanged(name, old, value) {
      if (name === "categories") this._raw = undefined;
      super.attributeChanged(name, old, value);
    }

    get moderationLabels() {
      if (this._excluded) return [];
      const chosen = new Set(this.labels);
      const out = [], seen = new Set();
      for (const item of this._items) {
        const text = item !== null && typeof item === "object" ? item.label ?? item.text ?? item.name : item;
        if (text != null && chosen.has(String(text)) && !seen.has(String(text))) { seen.add(String(text)); out.push(item); }
      }
      return out;
    }

    // Only positive responses are recorded (6.2): no choice is a valid answer.
    validate() { return null; }
    get _submittableValue() { return undefined; }

    connected(signal) {
      super.connected(signal);
      C.answerField(this, KEY, () => ({ moderationLabels: JSON.parse(JSON.stringify(this.moderationLabels)) }));
    }
  }

  C.define("crowd-rekognition-detect-moderation-labels", CrowdRekognitionElement);
})();

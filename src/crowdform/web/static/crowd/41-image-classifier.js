/* 41-image-classifier.js: <crowd-image-classifier> (spec 5.12): the picker beside an image, an
   optional `overlay` (boxes, or a label PNG with legend and opacity) and <worker-comment> dialog. */
(() => {
  "use strict";
  const C = window.CrowdCore;

  const CSS = `.image-wrap{position:relative;display:inline-block;max-width:100%;vertical-align:top}
.image{display:block;max-width:100%;max-height:70vh;height:auto}
.overlay-image{position:absolute;inset:0;width:100%;height:100%;opacity:.5;pointer-events:none;image-rendering:pixelated}
.overlay-boxes{position:absolute;inset:0;pointer-events:none}
.box{position:absolute;border:2px solid;box-sizing:border-box}
.box span{position:absolute;left:-2px;bottom:100%;color:#fff;font-size:11px;line-height:15px;padding:0 4px;white-space:nowrap}
.legend{display:flex;flex-wrap:wrap;gap:4px 12px;margin-top:8px;font-size:.875em}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.opacity{display:flex;align-items:center;gap:8px;margin-top:8px;font-size:.875em}
.comment{margin-top:12px}.comment-text{margin:4px 0 0;white-space:pre-wrap;color:var(--crowd-muted);font-size:.875em}
.comment-box{font:inherit;width:100%;margin-top:12px;padding:6px 8px;border:1px solid var(--crowd-border);border-radius:2px}
.comment-actions{display:flex;justify-content:flex-end;gap:8px;margin-top:12px}
[hidden]{display:none!important}`;

  class CrowdImageClassifierElement extends C.ClassifierElement {
    static get css() { return CSS; }
    static get observedAttributes() { return [...super.observedAttributes, "src", "overlay"]; }

    _targetHTML() {
      return `<div class="image-wrap"><img class="image" part="image" alt="Image to classify"><img class="overlay-image" alt="" hidden>
<div class="overlay-boxes" hidden></div></div><div class="legend" hidden></div>
<label class="opacity" hidden>Overlay opacity <input type="range" min="0" max="100" value="50"></label>`;
    }

    _extraHTML() {
      return `<div class="comment" hidden><a href="#" class="comment-link" role="button"></a><p class="comment-text" hidden></p></div>`;
    }

    render(root) {
      super.render(root);
      const tpl = document.createElement("template");
      tpl.innerHTML = `<dialog class="comment-dialog"><div class="modal-head"><h2 class="comment-title"></h2>
<button type="button" class="modal-close" aria-label="Close">\u00d7</button></div><div class="modal-body">
<slot name="worker-comment" data-region="worker-comment"></slot><textarea class="comment-box" rows="4" aria-label="Comment"></textarea>
<div class="comment-actions"><button type="button" class="btn cancel">Cancel</button><button type="button" class="btn primary save">Save</button></div></div></dialog>`;
      root.append(tpl.content);
      this._comment = this._comment || "";
      this._$(".image").addEventListener("load", () => this._overlay());
      C.watchRegions(this, () => this._commentRegion());
      this._src();
      this._overlay();
    }

    _$(sel) { return this.shadowRoot.querySelector(sel); }

    attributeChanged(name, old, value) {
      super.attributeChanged(name, old, value);
      if (name === "src") this._src();
      if (name === "overlay") this._overlay();
    }

    _src() {
      const src = this.getAttribute("src");
      if (src) this._$(".image").src = src;
      else this._$(".image").removeAttribute("src");
    }

    _commentRegion() {
      const region = this.querySelector(":scope > worker-comment");
      this._$(".comment").hidden = !region;
      if (!region) return;
      const attr = (n, d) => region.getAttribute(n) || d;
      this._$(".comment-link").textContent = attr("link-text", "Add a comment.");
      this._$(".comment-title").textContent = attr("header", "Add a comment.");
      this._$(".comment-box").placeholder = attr("placeholder", "");
    }

    /** Show only the mapped colours of a label PNG (a consolidated mask paints its background
        white); the PNG as it is if it cannot be read. */
    async _maskOverlay(png, src, mappings) {
      const token = (this._ovToken = (this._ovToken || 0) + 1);
      let url = src;
      try {
        const r = await fetch(src, { mode: "cors" });
        if (!r.ok) throw new Error(r.status);
        const bmp = await createImageBitmap(await r.blob(), { colorSpaceConversion: "none", premultiplyAlpha: "none" });
        const c = Object.assign(document.createElement("canvas"), { width: bmp.width, height: bmp.height });
        const ctx = c.getContext("2d", { willReadFrequently: true });
        ctx.drawImage(bmp, 0, 0);
        const im = ctx.getImageData(0, 0, c.width, c.height), d = im.data;
        const keep = new Set(Object.values(mappings).map((m) => parseInt(String(m && m.color).slice(1), 16)));
        for (let o = 0; o < d.length; o += 4) if (!keep.has((d[o] << 16) | (d[o + 1] << 8) | d[o + 2])) d[o + 3] = 0;
        ctx.putImageData(im, 0, 0);
        url = c.toDataURL("image/png");
      } catch (err) { /* shown as it is */ }
      if (token === this._ovToken) png.src = url;
    }

    /** Draw `overlay`: boundingBox, semanticSegmentation or instanceSegmentation (5.12). */
    _overlay() {
      const img = this._$(".image"), boxes = this._$(".overlay-boxes"), png = this._$(".overlay-image");
      const legend = this._$(".legend"), opacity = this._$(".opacity");
      boxes.hidden = png.hidden = legend.hidden = opacity.hidden = true;
      boxes.replaceChildren();
      legend.replaceChildren();
      const ov = C.readAttribute(this, "overlay");
      if (!ov || typeof ov !== "object") return;
      const key = (label, color) => {
        const item = document.createElement("span");
        item.innerHTML = `<span class="swatch"></span>`;
        item.firstChild.style.background = color;
        item.append(String(label));
        legend.append(item);
        legend.hidden = false;
      };
      if (ov.boundingBox) {
        const labels = C.normalizeCategories(ov.boundingBox.labels);
        const colorOf = (l) => C.PALETTE[(labels.includes(l) ? labels.indexOf(l) : labels.push(l) - 1) % C.PALETTE.length];
        const w = img.naturalWidth, h = img.naturalHeight;
        for (const b of Array.isArray(ov.boundingBox.value) ? ov.boundingBox.value : []) {
          if (!w || !h || !b) continue;
          const box = document.createElement("div");
          box.className = "box";
          const color = colorOf(String(b.label));
          Object.assign(box.style, { left: `${(b.left / w) * 100}%`, top: `${(b.top / h) * 100}%`,
            width: `${(b.width / w) * 100}%`, height: `${(b.height / h) * 100}%`, borderColor: color });
          const tag = document.createElement("span");
          tag.textContent = String(b.label);
          tag.style.background = color;
          box.append(tag);
          boxes.append(box);
        }
        boxes.hidden = !boxes.childElementCount;
        labels.forEach((l) => key(l, colorOf(l)));
        return;
      }
      const seg = ov.semanticSegmentation || ov.instanceSegmentation;
      if (!seg || typeof seg !== "object") return;
      if (seg.src) {
        png.hidden = false; opacity.hidden = false;
        if (ov.semanticSegmentation && seg.labelMappings) this._maskOverlay(png, seg.src, seg.labelMappings);
        else png.src = seg.src;
      }
      if (ov.semanticSegmentation) {
        for (const [label, m] of Object.entries(seg.labelMappings || {})) key(label, m && m.color);
      } else {
        for (const inst of Array.isArray(seg.instances) ? seg.instances : []) key(inst.label, inst.color);
      }
    }

    connected(signal) {
      super.connected(signal);
      const on = (sel, type, fn) => this._$(sel).addEventListener(type, fn, { signal });
      const dialog = this._$(".comment-dialog");
      on(".opacity input", "input", (e) => { this._$(".overlay-image").style.opacity = String(e.target.value / 100); });
      on(".comment-link", "click", (e) => {
        e.preventDefault();
        this._$(".comment-box").value = this._comment;
        dialog.showModal();
        this._$(".comment-box").focus();
      });
      on(".comment-dialog .modal-close", "click", () => dialog.close());
      on(".cancel", "click", () => dialog.close());
      on(".save", "click", () => { this.workerComment = this._$(".comment-box").value; dialog.close(); });
    }

    /** The worker's comment ("" when none). */
    get workerComment() { return this._comment || ""; }
    set workerComment(v) {
      this._comment = v == null ? "" : String(v).replace(/\r\n?/g, "\n");
      const text = this.shadowRoot && this._$(".comment-text");
      if (text) { text.textContent = this._comment; text.hidden = !this._comment; }
    }

    answer() {
      const a = super.answer();
      if (a && this._comment) a.workerComment = this._comment;
      return a;
    }

    _reset() { super._reset(); this.workerComment = ""; }
  }
  C.reflect(CrowdImageClassifierElement, { src: ["src", "string"] });

  C.define("crowd-image-classifier", CrowdImageClassifierElement);
})();

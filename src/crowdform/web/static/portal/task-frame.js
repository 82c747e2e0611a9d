// A task page in a sandboxed frame, and the postMessage protocol with the crowd elements inside it.
// Shared by the worker portal (portal.js) and `crowdform preview` (preview.js).
//
// Between tasks the frame is collapsed with the class "collapsed" (portal.css), never `hidden`:
// Chromium may never lay out a document loaded into a frame just out of display:none, which leaves
// the task blank.
//
// The frame is sandboxed without allow-same-origin, so its messages arrive with origin "null";
// they are matched by their source window instead. Messages:
//   frame -> host  {crowdform: "frame-ready"}           the page's crowd script has loaded
//   host -> frame  {crowdform: "host", version: 1}      answers go to the host, not the preview box
//   host -> frame  {crowdform: "submit"}                the host's own Submit button was pressed
//   frame -> host  {crowdform: "answer", answer: {...}}  crowd-form validated and serialised the answer
//   host -> frame  {crowdform: "saved"} | {crowdform: "rejected", message}
window.CrowdformTaskFrame = class CrowdformTaskFrame {
  constructor(frame, onAnswer) {
    this.frame = frame;
    this.ready = false;
    window.addEventListener("message", (event) => {
      if (event.source !== frame.contentWindow) return;  // only our task frame speaks to us
      const data = event.data;
      if (!data || typeof data !== "object") return;
      if (data.crowdform === "frame-ready") {
        this.ready = true;
        this.post({ crowdform: "host", version: 1 });
      } else if (data.crowdform === "answer" && data.answer && typeof data.answer === "object") {
        onAnswer(data.answer);
      }
    });
  }

  show(html) {
    this.ready = false;
    this.frame.srcdoc = html;
    this.frame.classList.remove("collapsed");
  }

  clear() {
    this.ready = false;
    this.frame.classList.add("collapsed");
    this.frame.srcdoc = "";
  }

  post(message) {
    if (this.frame.contentWindow) this.frame.contentWindow.postMessage(message, "*");
  }

  // Ask crowd-form to validate and submit; false if the page has not announced itself yet.
  submit() {
    if (!this.ready) return false;
    this.post({ crowdform: "submit" });
    return true;
  }

  saved() { this.post({ crowdform: "saved" }); }

  rejected(message) { this.post({ crowdform: "rejected", message: message }); }
};

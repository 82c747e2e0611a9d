"""The host hand-off protocol (spec 4.7; the worker portal's side): frame-ready -> host handshake,
answer -> saved / rejected, and the host's submit request. The task page runs in an iframe with
sandbox="allow-scripts allow-forms", as the portal frames it."""

from __future__ import annotations

from tests.browser.helpers import announced, screenshot

FORM = """<crowd-form><crowd-input name="note" label="Note" required></crowd-input>
<crowd-checkbox name="ok" checked>OK</crowd-checkbox></crowd-form>"""

STATUS = "document.querySelector('crowd-form').shadowRoot.querySelector('.status')"
ERRORS = "document.querySelector('crowd-form').shadowRoot.querySelector('.form-errors')"


def type_note(task, text="hello"):
    task.frame.locator("crowd-input").click()
    task.page.keyboard.type(text)


def test_handshake_then_answer_saved_keeps_the_page_disabled(open_hosted_page):
    task = open_hosted_page(FORM)
    assert task.messages()[0] == {"crowdform": "frame-ready"}
    assert task.frame.evaluate("window.CrowdCore.host.mode") == "host"
    type_note(task)
    task.frame.locator("crowd-button[form-action=submit]").click()
    assert task.wait_for_answers() == [{"note": "hello", "ok": {"on": True}}]
    assert announced(task.frame) == [{"note": "hello", "ok": {"on": True}}]
    task.frame.wait_for_function(f"{STATUS}.textContent === 'Your answer was submitted.'")
    assert task.frame.evaluate("document.querySelector('crowd-form').form.inert") is True
    # The preview box stays hidden in host mode.
    assert task.frame.evaluate("document.querySelector('crowd-form').shadowRoot.querySelector('#answers-box').hidden")
    # Nothing more is sent, whatever the worker does.
    task.frame.evaluate("document.querySelector('crowd-form').submit()")
    task.page.wait_for_timeout(200)
    assert len(task.answers()) == 1
    screenshot(task.page, "host-saved")


def test_busy_state_while_the_host_has_not_replied(open_hosted_page):
    task = open_hosted_page(FORM, reply={"none": True})
    type_note(task)
    task.frame.locator("crowd-button[form-action=submit]").click()
    task.wait_for_answers()
    assert task.frame.evaluate(f"{STATUS}.hidden") is False
    assert "Submitting" in task.frame.evaluate(f"{STATUS}.textContent")
    assert task.frame.evaluate("document.querySelector('crowd-form').form.inert") is True


def test_rejected_answer_shows_the_message_and_allows_resubmission(open_hosted_page):
    task = open_hosted_page(FORM, reply={"crowdform": "rejected", "message": "This task has expired."})
    type_note(task)
    task.frame.locator("crowd-button[form-action=submit]").click()
    task.wait_for_answers()
    task.frame.wait_for_function(f"!{ERRORS}.hidden")
    assert task.frame.evaluate(f"{ERRORS}.textContent") == "This task has expired."
    assert task.frame.evaluate("document.querySelector('crowd-form').form.inert") is False
    screenshot(task.page, "host-rejected")
    task.set_reply({"crowdform": "saved"})
    type_note(task, "!")
    task.frame.locator("crowd-button[form-action=submit]").click()
    assert task.wait_for_answers(2)[1] == {"note": "hello!", "ok": {"on": True}}
    task.frame.wait_for_function(f"{STATUS}.textContent === 'Your answer was submitted.'")


def test_host_can_trigger_submission_and_hears_when_it_is_blocked(open_hosted_page):
    task = open_hosted_page(FORM)
    task.send({"crowdform": "submit"})
    task.page.wait_for_function("window.hostLog.some((m) => m.crowdform === 'blocked')")
    assert {"crowdform": "blocked", "reason": "invalid"} in task.messages()
    assert "This field is required." in task.frame.evaluate(f"{ERRORS}.textContent")
    assert task.answers() == []
    type_note(task)
    task.send({"crowdform": "submit"})
    assert task.wait_for_answers() == [{"note": "hello", "ok": {"on": True}}]


def test_framed_page_without_a_host_falls_back_to_preview(open_hosted_page):
    task = open_hosted_page('<crowd-form><crowd-input name="a" value="1"></crowd-input></crowd-form>', handshake=False)
    task.frame.locator("crowd-button[form-action=submit]").click()
    box = "document.querySelector('crowd-form').shadowRoot.querySelector('#answers-box')"
    task.frame.wait_for_function(f"!{box}.hidden", timeout=5000)
    assert task.frame.evaluate("window.CrowdCore.host.mode") == "preview"
    assert task.answers() == []
    assert [m["crowdform"] for m in task.messages()] == ["frame-ready"]


def test_messages_from_other_windows_are_ignored(open_crowd_page):
    page = open_crowd_page(FORM)
    page.evaluate("window.postMessage({crowdform: 'host', version: 1}, '*')")
    page.wait_for_timeout(100)
    assert page.evaluate("window.CrowdCore.host.mode") == "preview"
    assert page.evaluate("window.CrowdCore.host.framed") is False

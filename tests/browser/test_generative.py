"""crowd-text-ranking (7.1) and crowd-question-answer-generation (7.2), driven with mouse and
keyboard. Checklist V-1; answer shapes of Q 22 and Q 23."""

from __future__ import annotations

from tests.browser.helpers import blocked, form_errors, preview_answer, screenshot, submit

RANKING = """<crowd-form><crowd-text-ranking name="textRanking" text="Write a haiku about rain."
  ordinal-ranking-dimensions='[{"name":"Clarity","allowTie":true},{name:"Inclusivity",allowTie:false}]'
  responses='["r1","r2","r3"]'>
  <short-instructions><p>Rank the responses.</p></short-instructions>
</crowd-text-ranking></crowd-form>"""


def rank(page, dim, resp, k):
    page.locator("crowd-text-ranking section.dim").nth(dim).locator(".row").nth(resp).locator(".rank", has_text=str(k)).click()


def test_v1_ranking_with_ties_answers_at_top_level(open_crowd_page):
    page = open_crowd_page(RANKING)
    assert page.locator("crowd-text-ranking .prompt").inner_text() == "Write a haiku about rain."
    rank(page, 0, 1, 1)
    rank(page, 0, 0, 2)
    rank(page, 0, 2, 2)  # tie allowed on Clarity
    rank(page, 1, 0, 1)
    rank(page, 1, 1, 1)  # no ties on Inclusivity: r1 loses rank 1
    # keyboard: focus r1's rank-3 button and press Space, r3's rank 2 with Enter
    page.locator("crowd-text-ranking section.dim").nth(1).locator(".row").nth(0).locator(".rank").nth(2).focus()
    page.keyboard.press("Space")
    page.locator("crowd-text-ranking section.dim").nth(1).locator(".row").nth(2).locator(".rank").nth(1).focus()
    page.keyboard.press("Enter")
    screenshot(page, "crowd-text-ranking")
    submit(page)
    assert preview_answer(page) == {"ordinalRankingDimensions": [
        {"name": "Clarity", "responseRankings": [2, 1, 2]},
        {"name": "Inclusivity", "responseRankings": [3, 1, 2]}]}
    assert open_crowd_page.console_text("error") == ""


def test_v1_exact_fragment(open_crowd_page):
    page = open_crowd_page("""<crowd-form><crowd-text-ranking name="textRanking"
      ordinal-ranking-dimensions='[{"name":"Clarity","allowTie":true}]' responses='["r1","r2","r3"]'></crowd-text-ranking></crowd-form>""")
    rank(page, 0, 1, 1)
    rank(page, 0, 0, 2)
    rank(page, 0, 2, 2)
    submit(page)
    assert preview_answer(page) == {"ordinalRankingDimensions": [{"name": "Clarity", "responseRankings": [2, 1, 2]}]}


def test_ranking_incomplete_blocks_submission(open_crowd_page):
    page = open_crowd_page(RANKING)
    rank(page, 0, 0, 1)
    submit(page)
    assert blocked(page)
    assert 'Rank every response for "Clarity"' in form_errors(page)
    assert page.evaluate("document.querySelector('crowd-text-ranking').value") == {"ordinalRankingDimensions": [
        {"name": "Clarity", "responseRankings": [1, None, None]},
        {"name": "Inclusivity", "responseRankings": [None, None, None]}]}


QA = """<crowd-form><crowd-question-answer-generation name="qa" text="The quick brown fox jumps over the lazy dog."
  min-questions=1 max-questions=2 question-min-words=2 answer-max-words=3 question-tags="['What','Who']"
  allow-custom-question-tags=true>
  <short-instructions><p>Write questions about the passage.</p></short-instructions>
</crowd-question-answer-generation></crowd-form>"""


def pair(page, i):
    return page.locator("crowd-question-answer-generation .pair").nth(i)


def select_in_passage(page, home, shift_key, count):
    page.locator("crowd-question-answer-generation .passage").click()
    page.keyboard.press(home)
    for _ in range(count):
        page.keyboard.press(f"Shift+{shift_key}")


def test_qa_pairs_tags_references_answer(open_crowd_page):
    page = open_crowd_page(QA)
    assert pair(page, 0).is_visible()
    pair(page, 0).locator("input[name=question]").click()
    page.keyboard.type("What jumps?")
    pair(page, 0).locator("input[name=answer]").click()
    page.keyboard.type("The quick fox")
    pair(page, 0).locator(".chip", has_text="What").click()
    select_in_passage(page, "Control+Home", "ArrowRight", 9)  # "The quick"
    pair(page, 0).locator(".add-ref").click()
    select_in_passage(page, "Control+End", "ArrowLeft", 4)  # "dog."
    pair(page, 0).locator(".add-ref").click()
    assert pair(page, 0).locator(".ref").nth(0).inner_text().startswith("\u201cThe quick\u201d")
    page.locator("crowd-question-answer-generation .add").click()
    assert page.locator("crowd-question-answer-generation .add").is_disabled()  # max-questions=2
    pair(page, 1).locator("input[name=question]").click()
    page.keyboard.type("Who is lazy?")
    pair(page, 1).locator("input[name=answer]").click()
    page.keyboard.type("the dog")
    pair(page, 1).locator("input.custom").click()
    page.keyboard.type("Animal")
    page.keyboard.press("Enter")
    pair(page, 1).locator(".chip", has_text="Who").click()
    passage = page.locator("crowd-question-answer-generation .passage")
    box = passage.bounding_box()
    page.mouse.dblclick(box["x"] + 16, box["y"] + 20)  # the word "The"
    page.keyboard.type("x")  # the passage refuses edits
    pair(page, 1).locator(".add-ref").click()
    assert passage.input_value() == "The quick brown fox jumps over the lazy dog."
    screenshot(page, "crowd-question-answer-generation")
    submit(page)
    assert preview_answer(page) == {"qa": {"questionAnswerPairs": [
        {"question": "What jumps?", "answer": "The quick fox", "tags": ["What"],
         "references": [{"startOffset": 0, "endOffset": 9}, {"startOffset": 40, "endOffset": 44}]},
        {"question": "Who is lazy?", "answer": "the dog", "tags": ["Animal", "Who"],
         "references": [{"startOffset": 0, "endOffset": 3}]}]}}
    assert open_crowd_page.console_text("error") == ""


def test_qa_word_limits_and_minimum_block_submission(open_crowd_page):
    page = open_crowd_page(QA)
    pair(page, 0).locator("input[name=question]").click()
    page.keyboard.type("Why?")
    pair(page, 0).locator("input[name=answer]").click()
    page.keyboard.type("one two three four")
    submit(page)
    assert blocked(page)
    assert "Question 1: the question needs at least 2 words" in form_errors(page)
    pair(page, 0).locator("input[name=question]").fill("Why so?")
    submit(page)
    assert blocked(page)
    assert "Question 1: the answer needs at most 3 words" in form_errors(page)
    pair(page, 0).locator(".remove").click()
    submit(page)
    assert blocked(page)
    assert "Write at least 1 question-answer pair" in form_errors(page)

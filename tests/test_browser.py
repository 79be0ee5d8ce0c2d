"""The chat page in a real headless Chromium (Debian's chromium and chromium-driver, driven by
Selenium) against a real ``tpm-assistant serve`` on loopback, started and stopped here.

``.ci/run`` installs the browser; elsewhere these tests skip with the command that installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import GUIDE, ROOT, SERVE, loopback_server, serve_env

from tpm_assistant.config import Settings

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
GUIDE_TEXT = GUIDE.read_bytes().decode("utf-8")
WAIT = 20  # seconds any one thing may take to show up before the test fails
PHONE = {"width": 375, "height": 740, "deviceScaleFactor": 2, "mobile": True}


def new_browser():
    """A fresh headless Chromium with nothing from outside: no stats, sync or component updates."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver are missing: .ci/run installs them")
        pytest.skip("needs a browser: apt-get install -y chromium chromium-driver")
    os.environ["SE_AVOID_STATS"] = "true"  # Selenium Manager: no statistics, no downloads
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="tpm-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,900"]:  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    driver.profile_dir = profile  # type: ignore[attr-defined]
    return driver


def quit_browser(driver) -> None:
    driver.quit()
    shutil.rmtree(driver.profile_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    driver = new_browser()
    try:
        yield driver
    finally:
        quit_browser(driver)


@pytest.fixture
def page(browser, real_service: str):
    """The chat page, freshly loaded at desktop size."""
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    open_page(browser, real_service)
    return browser


def open_page(driver, url: str) -> None:
    driver.get(url + "/")
    wait(driver, lambda d: d.execute_script("return document.documentElement.dataset.ready === 'true'"))


def wait(driver, condition, seconds: float = WAIT):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds).until(condition)


def css(driver, selector: str):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def ask(driver, question: str):
    """Type a question, press Enter, and return the answer's element once it is complete."""
    from selenium.webdriver.common.keys import Keys

    before = len(css(driver, "#log > li"))
    box = css(driver, "#q")[0]
    box.send_keys(question)
    box.send_keys(Keys.ENTER)
    return wait(driver, lambda d: _settled(d, before))


def _settled(driver, before: int):
    items = css(driver, "#log > li")
    if len(items) >= before + 2 and items[-1].get_attribute("aria-busy") != "true":
        return items[-1]
    return False


def text_of(driver, element) -> str:
    """The element's text exactly as in the page (Selenium's .text normalises whitespace)."""
    return driver.execute_script("return arguments[0].textContent", element)


def api_answer(url: str, messages: list[dict]) -> dict:
    return httpx.post(url + "/chat", json={"messages": messages}, timeout=30).json()


def test_asks_and_shows_the_cited_answer(page, real_service: str):
    examples = css(page, "#examples button")
    assert len(examples) >= 3 and all(b.is_displayed() for b in examples)  # example questions on first load
    answer = ask(page, "What does an entry-level TPM earn?")
    assert "not-covered" not in answer.get_attribute("class")
    assert "$76,683" in answer.text
    markers = answer.find_elements("css selector", "button.marker")
    assert markers and markers[0].text == "[1]"
    expected = api_answer(real_service, [{"role": "user", "content": "What does an entry-level TPM earn?"}])
    assert text_of(page, answer.find_elements("css selector", "p.text")[0]) == expected["answer"]
    sources = answer.find_elements("css selector", ".sources li")
    assert len(sources) == len(expected["citations"])
    assert expected["citations"][0]["section"] in sources[0].text
    assert not css(page, "#intro")[0].is_displayed()
    assert page.execute_script("return document.activeElement.id") == "q"  # focus back in the input


# Records whether each POST /chat asked for a stream; with window.__cutStream set, a streamed
# request gets a stream that breaks off after one piece (as a proxy cutting the connection would).
WATCH_CHAT_JS = """
window.__streamed = [];
const realFetch = window.fetch;
window.fetch = function (url, init) {
  if (String(url).endsWith('/chat')) {
    const stream = JSON.parse(init.body).stream === true;
    window.__streamed.push(stream);
    if (stream && window.__cutStream) {
      return Promise.resolve(new Response('event: delta\\ndata: {"text": "partial "}\\n\\n',
                                          {headers: {'content-type': 'text/event-stream'}}));
    }
  }
  return realFetch.apply(this, arguments);
};
"""


def test_answers_arrive_through_the_stream(page, real_service: str):
    page.execute_script(WATCH_CHAT_JS)
    answer = ask(page, "Do I need a PMP?")
    assert page.execute_script("return window.__streamed") == [True]  # one streamed request, no fallback
    expected = api_answer(real_service, [{"role": "user", "content": "Do I need a PMP?"}])
    assert text_of(page, answer.find_elements("css selector", "p.text")[0]) == expected["answer"]
    assert len(answer.find_elements("css selector", "button.marker")) == expected["answer"].count("[")


def test_a_broken_stream_falls_back_to_a_plain_request(page, real_service: str):
    page.execute_script(WATCH_CHAT_JS + "window.__cutStream = true;")
    answer = ask(page, "Do I need a PMP?")
    assert page.execute_script("return window.__streamed") == [True, False]
    expected = api_answer(real_service, [{"role": "user", "content": "Do I need a PMP?"}])
    assert text_of(page, answer.find_elements("css selector", "p.text")[0]) == expected["answer"]
    assert "partial" not in answer.text and answer.find_elements("css selector", ".sources li")


def test_an_example_question_asks_itself(page):
    before = len(css(page, "#log > li"))
    example = css(page, "#examples button")[0]
    question = example.text
    example.click()
    answer = wait(page, lambda d: _settled(d, before))
    assert css(page, "#log > li.user")[-1].text == question
    assert "msg bot" in answer.get_attribute("class")


def test_a_follow_up_uses_the_conversation_and_new_conversation_starts_over(page):
    ask(page, "What is the average TPM salary?")
    follow = ask(page, "And in New York City?")
    assert "$112,547" in follow.text
    assert len(css(page, "#log > li.user")) == 2
    css(page, "#new")[0].click()
    assert css(page, "#log > li") == []
    assert css(page, "#intro")[0].is_displayed()
    assert page.execute_script("return document.activeElement.id") == "q"


def test_a_marker_opens_the_passage_highlighted_as_the_file_slice(page, real_service: str):
    question = "What does an entry-level TPM earn?"
    answer = ask(page, question)
    citation = api_answer(real_service, [{"role": "user", "content": question}])["citations"][0]
    marker = answer.find_elements("css selector", "button.marker")[0]
    marker.click()
    mark = wait(page, lambda d: (css(d, "dialog[open] mark#highlight") or [False])[0])
    assert text_of(page, mark) == GUIDE_TEXT[citation["start"] : citation["end"]]
    assert css(page, "#passage-title")[0].text == citation["section"]
    body = text_of(page, css(page, "#passage-body")[0])
    assert len(body) > len(citation["text"])  # shown in its place among the surrounding text
    from selenium.webdriver.common.keys import Keys

    css(page, "#close")[0].send_keys(Keys.ESCAPE)
    wait(page, lambda d: not css(d, "dialog[open]"))
    assert page.execute_script("return document.activeElement === arguments[0]", marker)  # focus back on the marker


def test_a_source_under_the_answer_opens_its_passage(page, real_service: str):
    question = "Which certifications should a TPM get?"
    answer = ask(page, question)
    citations = api_answer(real_service, [{"role": "user", "content": question}])["citations"]
    source = answer.find_elements("css selector", ".sources button")[-1]
    # as a reader does: a long answer opens at its start, its sources below the composer until scrolled to
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", source)
    source.click()
    mark = wait(page, lambda d: (css(d, "dialog[open] mark#highlight") or [False])[0])
    assert text_of(page, mark) == GUIDE_TEXT[citations[-1]["start"] : citations[-1]["end"]]
    css(page, "#close")[0].click()


def test_an_out_of_scope_question_looks_different_and_says_what_is_missing(page, real_service: str):
    question = "How do I become a dentist?"
    expected = api_answer(real_service, [{"role": "user", "content": question}])
    assert expected["answered"] is False
    answer = ask(page, question)
    assert "not-covered" in answer.get_attribute("class")
    assert "Not covered by the guide" in answer.text
    background = page.execute_script("return getComputedStyle(arguments[0]).backgroundColor", answer)
    assert background != "rgb(255, 255, 255)"  # not the plain white answer card
    missing = [text_of(page, li) for li in answer.find_elements("css selector", ".missing li")]
    assert missing == expected["missing"]
    suggestions = answer.find_elements("css selector", ".suggestions button")
    if expected["citations"]:
        assert {b.text for b in suggestions} <= {c["section"] for c in expected["citations"]}
    assert suggestions, "a not-covered answer offers the nearest topics"
    topic = suggestions[0].text
    before = len(css(page, "#log > li"))
    suggestions[0].click()
    wait(page, lambda d: _settled(d, before))
    assert css(page, "#log > li.user")[-1].text == topic


def test_markup_in_a_question_is_shown_as_text_and_never_runs(page):
    question = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> what is a TPM?'
    ask(page, question)
    bubble = css(page, "#log > li.user")[-1]
    assert text_of(page, bubble) == question
    assert page.execute_script("return document.querySelectorAll('#log img, #log script').length") == 0
    assert page.execute_script("return window.__xss === undefined")


def test_enter_sends_and_shift_enter_adds_a_line(page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    box = css(page, "#q")[0]
    box.send_keys("What does a TPM do")
    ActionChains(page).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
    box.send_keys("all day?")
    assert page.execute_script("return document.getElementById('q').value") == "What does a TPM do\nall day?"
    assert css(page, "#log > li") == []
    box.send_keys(Keys.ENTER)
    wait(page, lambda d: _settled(d, 0))
    assert text_of(page, css(page, "#log > li.user")[0]) == "What does a TPM do\nall day?"
    assert page.execute_script("return document.getElementById('q').value") == ""


def test_a_rejected_question_shows_the_services_detail(page):
    # maxlength stops typing past 2000 characters; a script can still set more, and the service says no.
    page.execute_script("document.getElementById('q').value = 'x'.repeat(2001)")
    css(page, "#send")[0].click()
    error = wait(page, lambda d: (css(d, "#log > li.error") or [False])[0])
    assert "at most 2000 characters" in error.text
    assert css(page, "#send")[0].is_enabled()
    assert page.execute_script("return document.getElementById('q').value.length") == 2001  # kept, to fix and resend


def test_phone_width_has_no_horizontal_scroll(page, real_service: str):
    page.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    try:
        open_page(page, real_service)
        assert page.execute_script("return window.innerWidth") == PHONE["width"]
        ask(page, "What does an entry-level TPM earn? " + "Supercalifragilisticexpialidocious" * 4)
        ask(page, "How do I become a dentist?")
        overflow = "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        assert page.execute_script(overflow) == 0
        css(page, "button.marker")[0].click()
        wait(page, lambda d: css(d, "dialog[open] mark#highlight"))
        assert page.execute_script(overflow) == 0
        dialog_right = page.execute_script("return document.getElementById('passage').getBoundingClientRect().right")
        assert dialog_right <= PHONE["width"]
    finally:
        page.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(fg: tuple[float, ...], bg: tuple[float, ...]) -> float:
    lighter, darker = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# The colour of each element and of the first opaque background behind it.
COLOURS_JS = """
const parse = (s) => s.match(/[\\d.]+/g).map(Number);
return Array.from(document.querySelectorAll(arguments[0])).filter((e) => e.offsetParent !== null).map((e) => {
  let bg = e, colour;
  for (; bg; bg = bg.parentElement) {
    const c = parse(getComputedStyle(bg).backgroundColor);
    if (c.length < 4 || c[3] > 0.99) { colour = c; break; }
  }
  return {selector: arguments[0], text: e.textContent.trim().slice(0, 30),
          fg: parse(getComputedStyle(e).color), bg: colour || [255, 255, 255]};
});
"""


def test_text_contrast_focus_outlines_and_labels_meet_wcag_aa(page):
    ask(page, "What does an entry-level TPM earn?")
    ask(page, "How do I become a dentist?")
    selectors = ["h1", ".lede", "#examples-title", "label", ".hint", "#send", "#new", ".msg.user", ".msg.bot .text",
                 ".badge", ".not-covered h3", ".sources button", ".excerpt", "button.marker", ".suggestions button"]  # fmt: skip
    checked = []
    for selector in selectors:
        for item in page.execute_script(COLOURS_JS, selector):
            ratio = _contrast(tuple(item["fg"]), tuple(item["bg"]))
            checked.append(selector)
            assert ratio >= 4.5, f"{selector} {item['text']!r}: contrast {ratio:.2f} < 4.5"
    assert set(checked) >= set(selectors) - {"#examples-title"}  # each was on screen and checked
    # Every control has a name; the question box has a visible label.
    assert page.execute_script("return document.getElementById('q').labels[0].textContent") == "Your question"
    unnamed = page.execute_script(
        "return Array.from(document.querySelectorAll('button'))"
        ".filter(b => !(b.getAttribute('aria-label') || b.textContent).trim()).length"
    )
    assert unnamed == 0
    # Keyboard focus shows an outline.
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    css(page, "#q")[0].click()
    ActionChains(page).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    focused = page.execute_script(
        "const e = document.activeElement, s = getComputedStyle(e);"
        " return [e.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]"
    )
    assert focused[0] == "BUTTON" and focused[1] != "none" and focused[2] >= 2


def test_a_service_not_ready_shows_its_reason(browser, tmp_path: Path, real_store: Settings):
    empty = real_store.model_copy(update={"store_dir": tmp_path / "no-store"})
    with loopback_server(SERVE, "/health", env=serve_env(empty)) as url:
        open_page(browser, url)
        status = css(browser, "#status")[0]
        wait(browser, lambda d: status.is_displayed())
        assert "not ready" in status.text and "tpm-assistant ingest" in status.text


def test_the_service_going_down_shows_an_error_not_a_stuck_page(browser, real_store: Settings):
    with loopback_server(SERVE, "/ready", env=serve_env(real_store)) as url:
        open_page(browser, url)
        ask(browser, "What does an entry-level TPM earn?")
    # The server is stopped now; the page is still open.
    answer = ask(browser, "Do I need a PMP?")
    assert "error" in answer.get_attribute("class") and "Cannot reach the assistant service" in answer.text
    assert answer.get_attribute("role") == "alert"
    assert not css(browser, "#log > li.pending")  # no spinner left behind
    assert css(browser, "#send")[0].is_enabled()
    assert browser.execute_script("return document.getElementById('q').value") == "Do I need a PMP?"


def test_page_weight_and_time_to_interactive_are_reported(browser, real_service: str):
    """Measured in the browser (Navigation and Resource Timing) on an empty cache; reported, not asserted."""
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.clearBrowserCache", {})
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    open_page(browser, real_service)
    wait(browser, lambda d: d.execute_script("return performance.getEntriesByType('navigation')[0].loadEventEnd > 0"))
    metrics = browser.execute_script("""
        const nav = performance.getEntriesByType('navigation')[0];
        const resources = performance.getEntriesByType('resource');
        const interactive = performance.getEntriesByName('tpm-interactive')[0];
        return {
          transferred_bytes: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
          decoded_bytes: nav.decodedBodySize + resources.reduce((sum, r) => sum + r.decodedBodySize, 0),
          requests: 1 + resources.length,
          resources: resources.map((r) => [new URL(r.name).pathname, r.transferSize]),
          dom_content_loaded_ms: nav.domContentLoadedEventEnd,
          load_ms: nav.loadEventEnd,
          interactive_ms: interactive ? interactive.startTime : null,
        };
    """)
    out = ROOT / "bench" / "results" / "page.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(metrics, indent=2) + "\n")
    print(f"\npage: {metrics['transferred_bytes']} bytes transferred in {metrics['requests']} requests, "
          f"interactive at {metrics['interactive_ms']:.0f} ms, load at {metrics['load_ms']:.0f} ms ({out})")  # fmt: skip
    assert metrics["transferred_bytes"] > 0 and metrics["interactive_ms"] is not None

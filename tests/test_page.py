"""The children's drawing page in a real browser (Debian's chromium via Playwright) against the real server.

Each test draws with the mouse (or a finger, emulated) and checks what appears: stroke data exposed on
``window.doodleBuddy`` and the canvas pixels. Screenshots of each state go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SEED = 7  # see pin_seed
SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium; a missing browser skips here and fails under CI (DOODLE_REQUIRE_BROWSER=1)."""
    if not CHROMIUM.exists():
        if os.environ.get("DOODLE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"needs {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, shipped_server):
    """A fresh laptop-sized page on the drawing page, with the picker loaded; JS errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    pin_seed(page)
    page.goto(shipped_server + "/")
    page.wait_for_selector(".pick[aria-pressed=true]")
    yield page
    context.close()
    assert not errors, errors


def pin_seed(page, seed=SEED):
    """Send a fixed seed with every model request, so what the model draws is the same on every run (the
    page itself asks for a fresh random drawing each time, and a model may end a drawing at once)."""
    def with_seed(route):
        body = json.loads(route.request.post_data or "{}")
        body.setdefault("seed", seed)
        route.continue_(post_data=json.dumps(body))

    for endpoint in ("complete", "hint", "redraw", "morph"):
        page.route(f"**/api/{endpoint}", with_seed)


def shot(page, name):
    """Save a screenshot of the current state."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def draw(page, points):
    """One stroke with the mouse through points given as fractions of the paper."""
    box = page.locator("#pad").bounding_box()
    xy = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*xy[0])
    page.mouse.down()
    for x, y in xy[1:]:
        page.mouse.move(x, y, steps=2)
    page.mouse.up()


def draw_half_cat(page):
    """A cat's head and two ears, as a child would start one, across most of the paper."""
    draw(page, [(0.5 + 0.22 * math.cos(t / 24 * 2 * math.pi), 0.55 + 0.3 * math.sin(t / 24 * 2 * math.pi))
                for t in range(25)])
    draw(page, [(0.33, 0.4), (0.36, 0.12), (0.45, 0.27)])
    draw(page, [(0.55, 0.27), (0.64, 0.12), (0.67, 0.4)])


def wait_until(page, expression, timeout=30.0):
    """Poll a JS expression until it is truthy (Playwright's wait_for_function evals, which the CSP forbids)."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        page.wait_for_timeout(50)


def strokes(page, by=None):
    """The drawing's strokes as data: [{by, points}]."""
    data = page.evaluate("doodleBuddy.strokes()")
    return [s for s in data if by is None or s["by"] == by]


def pixels(page, canvas_id="pad"):
    """A canvas's pixels, as a PNG data URL."""
    return page.evaluate(f"document.getElementById('{canvas_id}').toDataURL()")


def blank_pixels(page, canvas_id):
    """The data URL a blank canvas of the same size would give."""
    return page.evaluate(f"(() => {{ const c = document.createElement('canvas'); const o = "
                         f"document.getElementById('{canvas_id}'); c.width = o.width; c.height = o.height;"
                         " return c.toDataURL(); })()")


def test_page_shows_the_picker_and_forbids_other_hosts(page, shipped_server):
    import json
    import urllib.request

    with urllib.request.urlopen(shipped_server + "/") as r:
        assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    with urllib.request.urlopen(shipped_server + "/api/classes") as r:
        names = [c["name"] for c in json.load(r)["classes"]]
    assert page.locator(".pick").count() == len(names) >= 1
    chosen = page.locator(".pick[aria-pressed=true]").get_attribute("data-name")
    assert chosen == ("cat" if "cat" in names else names[0])
    for name in ("Finish it", "Show me more", "Draw with me", "Show me how", "Undo", "Clear", "Save"):
        assert page.get_by_role("button", name=name).is_visible()
    shot(page, "01-empty")


def test_finish_animates_new_strokes_into_the_drawing(page):
    draw_half_cat(page)
    assert [s["by"] for s in strokes(page)] == ["child"] * 3
    before = pixels(page)
    shot(page, "02-half-cat")
    page.get_by_role("button", name="Finish it").click()
    wait_until(page, "doodleBuddy.strokes().some(s => s.by === 'buddy')")
    buddy = strokes(page, "buddy")
    assert sum(len(s["points"]) for s in buddy) >= 3
    assert pixels(page) != before
    shot(page, "03-finished")
    # the completion is now part of the drawing: one undo removes it all, the child's strokes stay
    page.get_by_role("button", name="Undo").click()
    assert [s["by"] for s in strokes(page)] == ["child"] * 3


def test_many_taps_on_finish_send_one_request_and_a_stroke_drawn_meanwhile_is_kept(page):
    draw_half_cat(page)
    requests = []
    # answered requests for an ending (a 503 "busy" that the page itself retries is the same tap's request)
    page.on("response", lambda r: requests.append(r.url) if r.url.endswith("/api/complete") and r.status != 503
            else None)
    box = page.get_by_role("button", name="Finish it").bounding_box()
    for _ in range(6):  # a child tapping again and again, fast: the later taps land while Buddy works
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_until(page, "doodleBuddy.state.revealing", timeout=60)
    draw(page, [(0.75, 0.15), (0.85, 0.1), (0.95, 0.15)])  # drawn while the ending is being revealed
    wait_until(page, "doodleBuddy.strokes().some(s => s.by === 'buddy')")
    wait_until(page, "!doodleBuddy.state.working")
    assert len(requests) == 1
    assert len({s["group"] for s in strokes(page, "buddy")}) == 1  # one ending, drawn once
    assert len(strokes(page, "child")) == 4  # and the stroke drawn meanwhile is kept


def test_show_me_more_shows_the_asked_number_and_adopts_one(page):
    draw_half_cat(page)
    page.get_by_role("button", name="Show me more").click()
    wait_until(page, "document.querySelectorAll('.choice').length === 4")
    page.get_by_label("How many?").select_option("6")
    wait_until(page, "document.querySelectorAll('.choice').length === 6")
    shot(page, "04-show-me-more")
    page.locator(".choice").nth(2).click()
    assert page.locator("#more-panel").is_hidden()
    wait_until(page, "doodleBuddy.strokes().some(s => s.by === 'buddy')")
    shot(page, "05-adopted")


def test_what_could_it_become_offers_several_objects_and_adopts_one(page):
    draw_half_cat(page)
    page.get_by_role("button", name="What could it become?").click()
    wait_until(page, "document.querySelectorAll('#ideas .idea').length >= 2", timeout=60)
    ideas = page.locator("#ideas .idea")
    names = [ideas.nth(i).get_attribute("data-name") for i in range(ideas.count())]
    assert len(set(names)) == len(names) >= 2  # different objects, each named with its picture
    assert all(ideas.nth(i).locator(".idea-name .ico").inner_text() for i in range(ideas.count()))
    shot(page, "13-what-could-it-become")
    chosen = ideas.last
    name = chosen.get_attribute("data-name")
    chosen.click()
    assert page.locator("#imagine-panel").is_hidden()
    assert page.locator(".pick[aria-pressed=true]").get_attribute("data-name") == name  # the object switched
    assert strokes(page, by="buddy")  # and its ending is on the paper


def test_draw_with_me_shows_a_ghost_after_pen_up_that_goes_when_drawing_again(page):
    page.get_by_role("button", name="Draw with me").click()
    assert page.get_by_role("button", name="Draw with me").get_attribute("aria-pressed") == "true"
    draw_half_cat(page)
    wait_until(page, "doodleBuddy.ghost() !== null && doodleBuddy.ghost().length >= 2")
    assert pixels(page, "ghost") != blank_pixels(page, "ghost")
    shot(page, "06-ghost")
    box = page.locator("#pad").bounding_box()
    page.mouse.move(box["x"] + 50, box["y"] + 50)
    page.mouse.down()
    assert page.evaluate("doodleBuddy.ghost()") is None
    page.mouse.up()


def test_show_me_how_draws_the_object_from_scratch(page):
    page.get_by_role("button", name="Show me how").click()
    assert page.locator("#how-panel").is_visible()
    wait_until(page, "doodleBuddy.state.counters.completions >= 1")
    blank = blank_pixels(page, "how-canvas")
    wait_until(page, f"document.getElementById('how-canvas').toDataURL() !== {blank!r}", 10)  # drawing slowly
    assert strokes(page) == []  # the child's paper is untouched
    shot(page, "07-show-me-how")


def test_guesses_appear_after_a_stroke_and_picking_one_chooses_it(page):
    draw_half_cat(page)
    page.wait_for_selector("#guesses:not([hidden]) .guess", timeout=30_000)
    guesses = page.locator(".guess")
    assert 1 <= guesses.count() <= 3
    percents = [int(t.rstrip("%")) for t in page.locator(".guess .pct").all_inner_texts()]
    assert all(p >= 5 for p in percents)  # no 0% guesses
    # the guesses sit below the paper, never on it
    paper, strip = page.locator("#pad").bounding_box(), page.locator("#guesses").bounding_box()
    assert strip["y"] >= paper["y"] + paper["height"] - 1
    shot(page, "08-guesses")
    enabled = page.locator(".guess:not([disabled])")
    assert enabled.count() >= 1  # a half-drawn cat is guessed as objects Buddy can draw
    name = enabled.first.get_attribute("data-name")
    enabled.first.click()
    assert page.locator(".pick[aria-pressed=true]").get_attribute("data-name") == name


def test_undo_and_clear(page):
    blank = pixels(page)
    draw(page, [(0.2, 0.2), (0.4, 0.4)])
    draw(page, [(0.6, 0.2), (0.8, 0.4)])
    assert len(strokes(page)) == 2
    page.get_by_role("button", name="Undo").click()
    assert len(strokes(page)) == 1
    page.get_by_role("button", name="Clear").click()
    assert strokes(page) == []
    assert pixels(page) == blank


def finish_answered_with(page, status, body) -> str:
    """Draw half a cat, press Finish it while the server answers ``status``/``body``; the alert's text."""
    page.route("**/api/complete", lambda route: route.fulfill(status=status, content_type="application/json",
                                                              body=body))
    draw_half_cat(page)
    page.get_by_role("button", name="Finish it").click()
    alert = page.get_by_role("alert")
    alert.wait_for(state="visible")
    return alert.inner_text()


def test_when_the_model_ends_the_drawing_the_page_says_it_is_finished(page):
    """A model may end a drawing without adding a stroke; the child hears that, and nothing changes."""
    text = finish_answered_with(page, 200, '{"class": "cat", "seed": 1, "temperature": 0.5, '
                                           '"completions": [{"strokes": [], "finished": true}]}')
    assert "finished" in text
    assert [s["by"] for s in strokes(page)] == ["child"] * 3


def test_a_server_error_shows_the_friendly_message_and_the_page_keeps_working(page):
    text = finish_answered_with(page, 500, '{"error": {"code": "internal_error", "message": "boom"}}')
    assert "Oops" in text and "boom" not in text
    shot(page, "09-oops")
    draw(page, [(0.6, 0.9), (0.9, 0.9)])  # clear of the guesses in the bottom-left corner
    assert len(strokes(page)) == 4


def test_a_phone_can_draw_with_a_finger(browser, shipped_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                                  device_scale_factor=3)
    page = context.new_page()
    pin_seed(page)
    page.goto(shipped_server + "/")
    page.wait_for_selector(".pick[aria-pressed=true]")
    box = page.locator("#pad").bounding_box()
    cdp = context.new_cdp_session(page)
    path = [(box["x"] + box["width"] * (0.2 + 0.06 * i), box["y"] + box["height"] * 0.5) for i in range(11)]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": path[0][0], "y": path[0][1]}]})
    for x, y in path[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    wait_until(page, "doodleBuddy.strokes().length === 1")
    [stroke] = page.evaluate("doodleBuddy.strokes()")
    assert len(stroke["points"]) >= 5
    xs = [p[0] for p in stroke["points"]]
    assert max(xs) - min(xs) > 0.5 * box["width"]
    # the paper is crisp: its backing store is device pixels
    assert page.evaluate("document.getElementById('pad').width") == pytest.approx(box["width"] * 3, abs=3)
    # every guess fits on the phone's screen, so each can be tapped
    page.wait_for_selector("#guesses:not([hidden]) .guess", timeout=30_000)
    for chip in page.locator(".guess").all():
        chip_box = chip.bounding_box()
        assert chip_box["x"] >= 0 and chip_box["x"] + chip_box["width"] <= 390
    page.get_by_role("button", name="Finish it").click()
    wait_until(page, "doodleBuddy.strokes().length > 1")
    shot(page, "10-phone")
    context.close()


def test_a_teacher_chooses_three_objects_and_the_child_sees_exactly_those(browser, shipped_server):
    teacher = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    teacher.goto(shipped_server + "/teacher/")
    names = teacher.locator(".object-tile input").evaluate_all("inputs => inputs.map(i => i.value)")
    assert len(names) >= 4
    teacher.get_by_label("Classroom name").fill("Room 4")
    for name in names[:3]:
        teacher.locator(f".object-tile:has(input[value='{name}'])").click()
    teacher.get_by_label("Teacher PIN (4–8 digits").fill("2468")
    teacher.get_by_role("button", name="Create classroom").click()
    code = teacher.locator("#join-code").inner_text()
    # the page shows the children's link in full, with the address the teacher's browser used
    wait_until(teacher, "document.querySelector('#join-link').textContent.startsWith(location.origin)")
    link = teacher.locator("#join-link").get_attribute("href")
    assert len(code) == 6 and link == f"{shipped_server}/c/{code}"
    shot(teacher, "11-teacher-classroom")

    child = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    child.goto(link)
    child.wait_for_selector(".pick[aria-pressed=true]")
    picker = "Array.from(document.querySelectorAll('.pick')).map(b => b.dataset.name)"
    assert child.evaluate(picker) == sorted(names[:3])
    shot(child, "12-child-in-classroom")

    teacher.locator(f".object-tile:has(input[value='{names[3]}'])").click()
    teacher.get_by_role("button", name="Save").click()
    teacher.wait_for_selector(".notice")
    child.reload()
    child.wait_for_selector(".pick[aria-pressed=true]")
    assert child.evaluate(picker) == sorted(names[:4])


def test_the_objects_come_in_theme_tabs_and_a_child_reaches_every_object_in_two_taps(page, shipped_server):
    """issue 50.3: with many objects, a row of big theme pictures; a tap on one shows just its objects, a tap on an
    object chooses it. Every object is in exactly one theme."""
    import urllib.request

    with urllib.request.urlopen(shipped_server + "/api/classes") as r:
        data = json.load(r)
    names = {c["name"] for c in data["classes"]}
    assert page.locator(".theme-tab").count() == len(data["themes"]) > 1
    assert page.locator(".theme-tab[aria-pressed=true]").get_attribute("data-theme") == "animals"  # cat's
    reached = set()
    for theme in data["themes"]:
        page.get_by_role("button", name=theme["label"], exact=True).click()  # tap 1: the theme
        shown = page.evaluate("[...document.querySelectorAll('.pick')].filter(b => b.offsetParent).map(b => "
                              "b.dataset.name)")
        assert shown == sorted(c["name"] for c in data["classes"] if c["theme"] == theme["name"])
        last = shown[-1]
        page.locator(f".pick[data-name={last}]").click()  # tap 2: the object, in sight
        assert page.locator(".pick[aria-pressed=true]").get_attribute("data-name") == last
        reached |= set(shown)
    assert reached == names
    shot(page, "02-theme-tabs")


def test_a_classroom_made_from_one_theme_lists_exactly_that_themes_objects(browser, shipped_server):
    """issue 50.3: the teacher ticks a whole theme in one tap; the children see exactly its objects, without tabs."""
    import urllib.request

    with urllib.request.urlopen(shipped_server + "/api/classes") as r:
        sea = sorted(c["name"] for c in json.load(r)["classes"] if c["theme"] == "sea")
    assert len(sea) >= 2
    teacher = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    teacher.goto(shipped_server + "/teacher/")
    teacher.get_by_label("Classroom name").fill("Under the sea")
    teacher.get_by_role("button", name="All sea").click()
    assert teacher.get_by_role("button", name="All sea").get_attribute("aria-pressed") == "true"
    teacher.get_by_label("Teacher PIN (4–8 digits").fill("2468")
    teacher.get_by_role("button", name="Create classroom").click()
    code = teacher.locator("#join-code").inner_text()
    ticked = teacher.locator(".object-tile input:checked").evaluate_all("inputs => inputs.map(i => i.value)")
    assert sorted(ticked) == sea

    child = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    child.goto(f"{shipped_server}/c/{code}")
    child.wait_for_selector(".pick[aria-pressed=true]")
    assert child.evaluate("[...document.querySelectorAll('.pick')].filter(b => b.offsetParent).map(b => "
                          "b.dataset.name)") == sea
    assert child.locator("#themes").is_hidden()
    shot(child, "13-child-in-a-sea-classroom")


def test_music_is_muted_until_turned_on_plays_while_drawing_and_stops_when_muted(page):
    music = page.get_by_role("button", name="Music")
    music.wait_for(state="visible")
    assert music.get_attribute("aria-pressed") == "false"
    draw(page, [(0.2 + 0.02 * i, 0.5) for i in range(20)])
    assert page.evaluate("doodleBuddy.music.scheduled") == 0  # muted by default
    music.click()
    assert music.get_attribute("aria-pressed") == "true"
    box = page.locator("#pad").bounding_box()
    page.mouse.move(box["x"] + 100, box["y"] + 100)
    page.mouse.down()
    for i in range(30):
        page.mouse.move(box["x"] + 100 + 10 * i, box["y"] + 100 + 5 * i)
        page.wait_for_timeout(30)
    wait_until(page, "doodleBuddy.music.scheduled >= 2")
    page.mouse.up()
    assert page.evaluate("doodleBuddy.music.ctx.state") in ("running", "suspended")
    shot(page, "13-music-on")
    music.click()  # mute
    assert music.get_attribute("aria-pressed") == "false"
    before = page.evaluate("doodleBuddy.music.scheduled")
    draw(page, [(0.3 + 0.02 * i, 0.7) for i in range(20)])
    page.wait_for_timeout(300)
    assert page.evaluate("doodleBuddy.music.scheduled") == before


def test_every_control_is_reachable_by_keyboard_and_works_from_it(page):
    draw_half_cat(page)
    focused = []
    for _ in range(120):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.className"))
    for control in ("finish", "more", "with-me", "how", "undo", "clear", "save", "music", "temperature"):
        assert control in focused, control
    assert any("pick" in f for f in focused)
    labels = page.evaluate("Array.from(document.querySelectorAll('button')).filter(b => b.offsetParent)"
                           ".map(b => b.getAttribute('aria-label') || b.innerText.trim())")
    assert all(labels), labels  # every visible button has a name for screen readers
    while page.evaluate("document.activeElement.id") != "finish":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    wait_until(page, "doodleBuddy.strokes().some(s => s.by === 'buddy')")


def test_save_downloads_the_drawing_as_a_png(page, tmp_path):
    draw_half_cat(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Save").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "doodle-cat.png" and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_morph_plays_as_a_flip_book_and_the_child_keeps_a_picture(browser, live_server):
    """On the tiny models (a sketch VAE for cat): 🦋 shows only for cat; pressed, the panel plays the child's
    drawing changing into one Buddy draws; the child picks a picture with the slider and keeps it in place of
    the drawing (undo brings the drawing back). After 🧽, "my last one" morphs into the drawing before."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors, sent = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: sent.append(json.loads(r.post_data)) if r.url.endswith("/api/morph") else None)
    pin_seed(page, 5)
    page.goto(live_server + "/")
    page.wait_for_selector(".pick[aria-pressed=true]")
    morph = page.get_by_role("button", name="Buddy morphs it")
    page.locator(".pick[data-name=pig]").click()
    assert not morph.is_visible()  # Buddy cannot morph a pig
    page.locator(".pick[data-name=cat]").click()
    draw(page, [(0.3, 0.6), (0.3, 0.3), (0.45, 0.45), (0.6, 0.3), (0.6, 0.6), (0.3, 0.6)])
    mine = strokes(page)
    morph.click()
    wait_until(page, "document.getElementById('morph-panel').open")
    assert not page.get_by_role("button", name="Into my last drawing").is_visible()  # no drawing before this one
    assert "to" not in sent[-1] and "temperature" not in sent[-1]  # into Buddy's own; careful frames
    slider = page.get_by_role("slider", name="Which picture")
    assert slider.get_attribute("max") == "8"
    wait_until(page, "document.getElementById('morph-frame').value === '8'")  # the flip-book played to the end
    assert pixels(page, "morph-canvas") != blank_pixels(page, "morph-canvas")
    seen = set()
    for i in (0, 4, 8):
        slider.fill(str(i))
        seen.add(pixels(page, "morph-canvas"))
    assert len(seen) == 3, "the pictures of the morph do not change"
    shot(page, "16-buddy-morphs-it")
    slider.fill("6")
    page.get_by_role("button", name="Keep this one").click()
    wait_until(page, "!document.getElementById('morph-panel').open")
    kept = strokes(page)
    assert kept and all(s["by"] == "buddy" for s in kept)  # the picture took the drawing's place
    page.get_by_role("button", name="Undo").click()
    assert strokes(page) == mine  # and undo brings the child's drawing back
    page.get_by_role("button", name="Clear").click()
    draw(page, [(0.2, 0.2), (0.4, 0.25), (0.35, 0.45)])
    morph.click()
    wait_until(page, "document.getElementById('morph-panel').open")
    page.get_by_role("button", name="Into my last drawing").click()
    wait_until(page, "!document.getElementById('morph-mine').disabled && "
                     "document.getElementById('morph-frame').value === '8'")
    assert len(sent) == 3 and sent[-1]["to"] == [s["points"] for s in mine]  # into the drawing before
    page.locator("#morph-close").click()
    context.close()
    assert not errors, errors


def test_buddy_redraws_the_drawing_beside_it_for_objects_with_a_vae(browser, live_server):
    """On the tiny models (a sketch VAE for cat, none for pig): 🪄 shows only for cat; pressed, it shows the
    child's drawing and Buddy's three versions, drawn stroke by stroke; nothing lands on the child's paper."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    pin_seed(page, 5)
    page.goto(live_server + "/")
    page.wait_for_selector(".pick[aria-pressed=true]")
    redraw = page.get_by_role("button", name="Buddy redraws it")
    page.locator(".pick[data-name=pig]").click()
    assert not redraw.is_visible()  # Buddy cannot redraw a pig
    page.locator(".pick[data-name=cat]").click()
    assert redraw.is_visible()
    draw(page, [(0.3, 0.6), (0.3, 0.3), (0.45, 0.45), (0.6, 0.3), (0.6, 0.6), (0.3, 0.6)])
    redraw.click()
    wait_until(page, "document.getElementById('redraw-panel').open && "
                     "document.querySelectorAll('#redraws canvas').length === 4")
    labels = page.eval_on_selector_all("#redraws canvas", "cs => cs.map((c) => c.getAttribute('aria-label'))")
    assert labels == ["Your drawing", "Buddy's drawing 1", "Buddy's drawing 2", "Buddy's drawing 3"]
    blank = blank_pixels(page, "pad")
    wait_until(page, "!document.getElementById('redraw').disabled")  # all four are drawn to the end
    inked = page.eval_on_selector_all(
        "#redraws canvas", "cs => cs.map((c) => { const b = document.createElement('canvas'); b.width = c.width; "
        "b.height = c.height; return c.toDataURL() !== b.toDataURL(); })")
    assert inked[0]  # the child's own drawing is shown
    # shown around the drawing, not the whole paper: the child's 30%-wide drawing fills most of its card
    # (read once the drawing is finished: mid-animation only part of the stroke is there)
    share = page.evaluate("""(() => {
      const c = document.querySelector('#redraws canvas'); const d = c.getContext('2d')
        .getImageData(0, 0, c.width, c.height).data;
      let lo = c.width, hi = -1;
      for (let i = 3; i < d.length; i += 4) {
        if (d[i] > 0) { const x = ((i - 3) / 4) % c.width; lo = Math.min(lo, x); hi = Math.max(hi, x); }
      }
      return (hi - lo) / c.width; })()""")
    assert share > 0.45, share
    assert any(inked[1:]), "Buddy drew none of its versions"
    shot(page, "15-buddy-redraws-it")
    page.locator("#redraw-close").click()
    wait_until(page, "!document.getElementById('redraw-panel').open")
    assert len(strokes(page)) == 1 and pixels(page) != blank  # the child's paper keeps only the child's stroke
    context.close()
    assert not errors, errors

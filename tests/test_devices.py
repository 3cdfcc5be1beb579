"""The children's page and the teacher pages on every device: phone, tablet both ways, desktop (issue 27).

Each page is driven in Debian's chromium at four sizes (touch where the device has it) and checked as a child or
a teacher would meet it: the page never scrolls sideways, every tool is on screen and big enough for a finger,
enough objects show without scrolling, and axe-core (shipped inside the test-only axe-playwright-python
package and injected by Playwright, never served by the app) finds no serious or critical accessibility
violation. A screenshot per page and device goes to test-artifacts/screenshots/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.test_page import browser, draw, pin_seed, shot, wait_until  # noqa: F401 - browser is a fixture

DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "tablet-landscape": {"viewport": {"width": 1024, "height": 768}, "has_touch": True},
    "tablet-portrait": {"viewport": {"width": 768, "height": 1024}, "has_touch": True},
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
              "device_scale_factor": 3},
}
SETTLED = ("(() => { const r = document.getElementById('pad').getBoundingClientRect();"
           " return Math.abs(doodleBuddy.pad.view.width - r.width) < 0.5"
           " && Math.abs(doodleBuddy.pad.view.height - r.height) < 0.5; })()")  # the pad has seen its new size
LONG_NAME = "Mrs Smith's Reception Class and the Wonderful Yellow Foxes!!"  # 60 characters, the limit
MIN_TARGET = 44  # px: the smallest touch target (WCAG 2.5.5)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def long_named_classroom(browser, shipped_server):  # noqa: F811
    """A classroom with every object and a 60-character name, made through the teacher page: (code, page URL)."""
    assert len(LONG_NAME) == 60
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    teacher = context.new_page()
    teacher.goto(shipped_server + "/teacher/")
    teacher.get_by_label("Classroom name").fill(LONG_NAME)
    for tile in teacher.locator(".object-tile").all():
        tile.click()
    teacher.get_by_label("Teacher PIN (4–8 digits").fill("2468")
    teacher.get_by_role("button", name="Create classroom").click()
    code = teacher.locator("#join-code").inner_text()
    teacher_url = teacher.url
    cookies = context.cookies()
    context.close()
    return code, teacher_url, cookies


def open_page(browser, device, url, cookies=()):  # noqa: F811
    context = browser.new_context(**DEVICES[device])
    if cookies:
        context.add_cookies(list(cookies))
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    pin_seed(page)
    page.goto(url)
    return context, page, errors


def no_sideways_scroll(page):
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width[0]} px wide on a {width[1]} px screen"


def serious_accessibility_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def visible_fully(page, selector):
    """How many elements matching selector lie fully inside the screen."""
    return page.evaluate(f"""[...document.querySelectorAll({selector!r})].filter(e => {{
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5;
    }}).length""")


def check_drawing_page(page, min_objects):
    page.wait_for_selector(".pick[aria-pressed=true]")
    no_sideways_scroll(page)
    tools = page.evaluate("""[...document.querySelectorAll('.toolbar .tool, .toolbar input')]
        .filter(e => !e.closest('[hidden]')).map(e => { const r = e.getBoundingClientRect();
        return {id: e.id, left: r.left, top: r.top, right: r.right, bottom: r.bottom, w: r.width, h: r.height}; })""")
    viewport = page.viewport_size
    for t in tools:
        assert t["left"] >= 0 and t["right"] <= viewport["width"], t
        assert t["top"] >= 0 and t["bottom"] <= viewport["height"], t
        assert t["w"] >= MIN_TARGET and t["h"] >= MIN_TARGET, t
    assert visible_fully(page, ".pick") >= min_objects
    assert page.locator("#pad").bounding_box()["height"] > 0.3 * viewport["height"]  # the paper stays big


@pytest.mark.parametrize("device", list(DEVICES))
def test_the_childrens_page_fits_every_device(browser, shipped_server, long_named_classroom, device):  # noqa: F811
    context, page, errors = open_page(browser, device, shipped_server + "/")
    check_drawing_page(page, min_objects=4)
    assert serious_accessibility_violations(page) == []
    shot(page, f"device-{device}-drawing")
    # the same page in a classroom with a 60-character name: the objects stay in sight
    code, _, _ = long_named_classroom
    page.goto(f"{shipped_server}/c/{code}")
    check_drawing_page(page, min_objects=3)
    shot(page, f"device-{device}-classroom")
    # Show me more with 9 endings fits the screen in a grid, not one tall column
    draw(page, [(0.3, 0.5), (0.5, 0.3), (0.7, 0.5)])
    page.get_by_role("button", name="Show me more").click()
    page.locator("#more-count").select_option("9")
    wait_until(page, "document.querySelectorAll('#choices .choice').length === 9")
    wait_until(page, "document.getElementById('more-panel').getBoundingClientRect().height <= innerHeight", 5)
    panel = page.locator("#more-panel").bounding_box()
    assert panel["height"] <= page.viewport_size["height"]
    rows = len(set(round(b["y"]) for b in (c.bounding_box() for c in page.locator(".choice").all())))
    assert rows <= 3
    assert serious_accessibility_violations(page) == []
    shot(page, f"device-{device}-show-me-more")
    page.keyboard.press("Escape")
    # the morph panel (the shipped cat VAE): the picture, the slider and "Keep this one" all in sight, big enough
    page.goto(shipped_server + "/")
    page.locator(".pick[data-name=cat]").click()
    draw(page, [(0.3, 0.6), (0.3, 0.3), (0.45, 0.45), (0.6, 0.3), (0.6, 0.6), (0.3, 0.6)])
    page.get_by_role("button", name="Buddy morphs it").click()
    wait_until(page, "document.getElementById('morph-panel').open && document.getElementById('morph-frame').value "
                     "=== document.getElementById('morph-frame').max")
    for selector in ("#morph-canvas", "#morph-frame", "#morph-keep", "#morph-again", "#morph-close"):
        box = page.locator(selector).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"], selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], selector
    assert page.locator("#morph-canvas").bounding_box()["height"] > 0.3 * page.viewport_size["height"]
    assert page.locator("#morph-keep").bounding_box()["height"] >= MIN_TARGET
    assert serious_accessibility_violations(page) == []
    shot(page, f"device-{device}-morph")
    page.keyboard.press("Escape")
    context.close()
    assert not errors, errors


@pytest.mark.parametrize("device", list(DEVICES))
def test_the_teacher_pages_fit_every_device(browser, shipped_server, long_named_classroom, device):  # noqa: F811
    code, teacher_url, cookies = long_named_classroom
    context, page, errors = open_page(browser, device, shipped_server + "/teacher/")
    no_sideways_scroll(page)
    for name in ("Create classroom", "Open"):  # every button says what it does, in words
        button = page.get_by_role("button", name=name)
        assert button.inner_text().strip().endswith(name)
        box = button.bounding_box()
        assert box["width"] >= MIN_TARGET and box["height"] >= MIN_TARGET
    assert serious_accessibility_violations(page) == []
    shot(page, f"device-{device}-teacher")
    # a wrong PIN: the message is in sight, not below the fold, and the code is still filled in
    page.get_by_label("Classroom code").fill(code)
    page.get_by_label("Teacher PIN", exact=True).fill("0000")
    with page.expect_navigation(wait_until="load"):  # the answer with its styles (they put the message first)
        page.get_by_role("button", name="Open").click()
    message = page.locator(".form-error")
    assert "PIN is not right" in message.inner_text()
    assert message.bounding_box()["y"] + message.bounding_box()["height"] <= page.viewport_size["height"]
    assert page.get_by_label("Classroom code").input_value() == code
    context.close()
    # the classroom's own page, as its teacher sees it
    context, page, more_errors = open_page(browser, device, teacher_url, cookies)
    no_sideways_scroll(page)
    delete = page.get_by_role("button", name=f"Delete {LONG_NAME}")
    assert delete.bounding_box()["height"] >= MIN_TARGET
    assert page.locator("#join-link").inner_text().endswith(f"/c/{code}")
    assert serious_accessibility_violations(page) == []
    shot(page, f"device-{device}-teacher-classroom")
    context.close()
    assert not errors + more_errors


def test_turning_a_tablet_and_back_leaves_the_drawing_where_it_was(browser, shipped_server):  # noqa: F811
    context, page, errors = open_page(browser, "tablet-landscape", shipped_server + "/")
    page.wait_for_selector(".pick[aria-pressed=true]")
    draw(page, [(0.2, 0.3), (0.5, 0.6), (0.8, 0.3)])
    before = page.evaluate("[doodleBuddy.strokes(), document.getElementById('pad').toDataURL()]")
    for _ in range(2):
        page.set_viewport_size({"width": 768, "height": 1024})
        wait_until(page, SETTLED)
        turned = page.evaluate("doodleBuddy.strokes()")
        assert turned == before[0]  # the drawing's data never changes with the paper's size
        page.set_viewport_size({"width": 1024, "height": 768})
        wait_until(page, SETTLED)
        after = page.evaluate("[doodleBuddy.strokes(), document.getElementById('pad').toDataURL()]")
        assert after == before  # same strokes, same pixels: not smaller, not moved
    context.close()
    assert not errors, errors


def test_a_stroke_across_a_resize_keeps_its_points_and_goes_on_where_the_pen_is(browser, shipped_server):  # noqa: F811
    context, page, errors = open_page(browser, "tablet-landscape", shipped_server + "/")
    page.wait_for_selector(".pick[aria-pressed=true]")
    draw(page, [(0.1, 0.1), (0.2, 0.1)])  # the drawing has begun: its frame is fixed
    box = page.locator("#pad").bounding_box()
    page.mouse.move(box["x"] + 0.2 * box["width"], box["y"] + 0.5 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.4 * box["width"], box["y"] + 0.5 * box["height"], steps=4)
    before = page.evaluate("doodleBuddy.pad.current.points")
    page.set_viewport_size({"width": 900, "height": 768})  # the window changes size mid-stroke
    wait_until(page, SETTLED)
    new_box = page.locator("#pad").bounding_box()
    k, x, y = page.evaluate("[doodleBuddy.pad.view.k, doodleBuddy.pad.view.x, doodleBuddy.pad.view.y]")
    assert k < 1  # the paper got smaller
    # carry on to where 60% across the old paper now is on screen
    page.mouse.move(new_box["x"] + x + 0.6 * box["width"] * k, new_box["y"] + y + 0.5 * box["height"] * k, steps=4)
    page.mouse.up()
    stroke = page.evaluate("doodleBuddy.strokes()")
    points = stroke[-1]["points"]
    assert points[:len(before)] == before  # what was drawn before the resize did not move or scale
    assert points[-1] == pytest.approx([0.6 * box["width"], 0.5 * box["height"]], abs=1.5)  # the pen maps right
    first = stroke[0]["points"]
    assert first[0] == pytest.approx([0.1 * box["width"], 0.1 * box["height"]], abs=1.5)  # earlier strokes stay
    context.close()
    assert not errors, errors


def test_a_long_press_on_a_tool_shows_its_name_and_does_not_press_it(browser, shipped_server):  # noqa: F811
    context, page, errors = open_page(browser, "phone", shipped_server + "/")
    page.wait_for_selector(".pick[aria-pressed=true]")
    draw(page, [(0.3, 0.5), (0.5, 0.3), (0.7, 0.5)])
    box = page.get_by_role("button", name="Finish it").bounding_box()
    cdp = context.new_cdp_session(page)
    point = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
    expect(page.locator("#tip")).to_be_visible()
    expect(page.locator("#tip")).to_have_text("Finish it")
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(1500)  # time enough for a Finish to come back, had one been asked
    assert page.evaluate("doodleBuddy.state.counters.completions") == 0
    assert len(page.evaluate("doodleBuddy.strokes()")) == 1  # the long press did not ask Buddy to finish
    shot(page, "device-phone-long-press")
    context.close()
    assert not errors, errors


def test_a_panel_keeps_the_focus_inside_and_gives_it_back_on_close(browser, shipped_server):  # noqa: F811
    context, page, errors = open_page(browser, "desktop", shipped_server + "/")
    page.wait_for_selector(".pick[aria-pressed=true]")
    draw(page, [(0.3, 0.5), (0.5, 0.3), (0.7, 0.5)])
    page.get_by_role("button", name="Show me more").focus()
    page.keyboard.press("Enter")
    wait_until(page, "document.getElementById('more-panel').open && document.querySelector('#choices .choice')")
    for _ in range(12):  # tabbing never leaves the open panel
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('more-panel').contains(document.activeElement)")
    page.keyboard.press("Escape")
    wait_until(page, "!document.getElementById('more-panel').open")
    # the dialog's close event, which gives the focus back, comes in a task after `open` is cleared
    wait_until(page, "document.activeElement.id === 'more'", timeout=5)
    context.close()
    assert not errors, errors


@pytest.mark.parametrize("device", list(DEVICES))
def test_five_fast_taps_send_one_request_and_a_stroke_meanwhile_is_kept(browser, shipped_server, device):  # noqa: F811
    context, page, errors = open_page(browser, device, shipped_server + "/")
    page.wait_for_selector(".pick[aria-pressed=true]")
    draw(page, [(0.3, 0.6), (0.4, 0.3), (0.5, 0.6), (0.6, 0.3), (0.7, 0.6)])
    requests = []
    # answered requests for an ending (a 503 "busy" that the page itself retries is the same tap's request)
    page.on("response", lambda r: requests.append(r.url) if r.url.endswith("/api/complete") and r.status != 503
            else None)
    box = page.get_by_role("button", name="Finish it").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    touch = DEVICES[device].get("has_touch", False)
    for _ in range(5):  # five fast taps: the later ones land while Buddy works
        if touch:
            page.touchscreen.tap(x, y)
        else:
            page.mouse.click(x, y)
    wait_until(page, "doodleBuddy.state.revealing", timeout=60)
    draw(page, [(0.2, 0.15), (0.3, 0.1)])  # drawn while the ending is being revealed
    wait_until(page, "!doodleBuddy.state.working && doodleBuddy.strokes().some(s => s.by === 'buddy')")
    assert len(requests) == 1
    strokes = page.evaluate("doodleBuddy.strokes()")
    assert len({s["group"] for s in strokes if s["by"] == "buddy"}) == 1  # one ending, drawn once
    assert len([s for s in strokes if s["by"] == "child"]) == 2  # and the stroke drawn meanwhile is kept
    context.close()
    assert not errors, errors


def test_the_mouse_wheel_and_the_arrows_reach_every_object_on_a_desktop(browser, shipped_server):  # noqa: F811
    context, page, errors = open_page(browser, "desktop", shipped_server + "/")
    page.wait_for_selector(".pick[aria-pressed=true]")
    picker = page.locator("#picker")
    start = page.evaluate("document.getElementById('picker').scrollLeft")
    box = picker.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    at_end = ("(() => { const p = document.getElementById('picker');"
              " return p.scrollLeft + p.clientWidth >= p.scrollWidth - 1; })()")
    for _ in range(10):  # an ordinary (vertical) wheel turns the row sideways, a few turns to its end
        before = page.evaluate("document.getElementById('picker').scrollLeft")
        page.mouse.wheel(0, 2000)
        wait_until(page, f"document.getElementById('picker').scrollLeft > {before} + 100 || {at_end}")
        if page.evaluate(at_end):
            break
    assert page.evaluate("document.getElementById('picker').scrollLeft") > start + 100
    wait_until(page, at_end)
    last = page.locator(".pick:not([hidden])").last  # the chosen theme's row (cat's: animals)
    assert visible_fully(page, f".pick[data-name='{last.get_attribute('data-name')}']") == 1  # the last one in sight
    page.get_by_role("button", name="More objects to the left").click()
    wait_until(page, "document.getElementById('picker').scrollLeft + document.getElementById('picker').clientWidth"
                     " < document.getElementById('picker').scrollWidth - 1")
    context.close()
    assert not errors, errors

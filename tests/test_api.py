"""The JSON API: a client posts drawings and gets new strokes; bad input always gets a clear 4xx."""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CANVAS = {"width": 800, "height": 600}
CAT_SO_FAR = [[[100, 100], [200, 120], [250, 200]], [[300, 300], [320, 340]]]


def post(client, path, body):
    """POST a JSON body (already a string, or an object to dump)."""
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, data=data, content_type="application/json")


def test_health_and_classes(client):
    assert client.get("/healthz").json == {"ready": True, "decoders": 2, "database": True}
    classes = client.get("/api/classes").json["classes"]
    assert [c["name"] for c in classes] == ["cat", "pig"]
    assert classes[0]["icon"] == "🐱" and classes[0]["label"] == "cat" and classes[0]["source"] == "test"


def test_classes_come_with_their_theme_and_the_themes_in_tab_order(client):
    """issue 50.3: each object names its theme; the themes listed are those of the objects served, in tab order."""
    data = client.get("/api/classes").json
    assert [(c["name"], c["theme"]) for c in data["classes"]] == [("cat", "animals"), ("pig", "animals")]
    assert data["themes"] == [{"name": "animals", "label": "animals", "icon": "🐾"}]


def test_every_object_buddy_can_draw_or_learn_has_one_theme_and_a_picture():
    """Google's decoders in ../shared (86) and the objects the few-shot issue adds: each in exactly one theme, with
    its own picture (no pencil), so the picker never hides one under "more"."""
    from app.engine import catalog
    from training.paths import PRETRAINED_DIR

    objects = {n for t in catalog.THEMES for n in t.objects}
    assert sum(len(t.objects) for t in catalog.THEMES) == len(objects)  # none in two themes
    assert all(catalog.icon(n) != catalog.DEFAULT_ICON for n in objects)
    assert {"house", "tree", "sun", "car", "fish", "star", "apple", "rainbow", "cloud", "ice_cream"} <= objects
    assert [t["name"] for t in catalog.themes_of(["whale", "zebra_crossing", "cat"])] == ["animals", "sea", "more"]
    if not PRETRAINED_DIR.is_dir():
        pytest.skip(f"needs Google's decoders in {PRETRAINED_DIR}")
    google = {p.name[: -len(".gen.json")] for p in PRETRAINED_DIR.glob("*.gen.json")}
    assert len(google) >= 86 and google - objects == set()


def test_complete_returns_new_strokes_in_canvas_pixels(client):
    r = post(client, "/api/complete", {"class": "cat", "strokes": CAT_SO_FAR, "canvas": CANVAS,
                                       "variations": 3, "seed": 42, "temperature": 0.3})
    assert r.status_code == 200
    body = r.json
    assert body["seed"] == 42 and len(body["completions"]) == 3
    assert any(completion["strokes"] for completion in body["completions"])  # something was drawn
    for completion in body["completions"]:
        assert isinstance(completion["finished"], bool)
        for stroke in completion["strokes"]:
            assert all(len(p) == 2 and all(isinstance(v, float) for v in p) for p in stroke)
    again = post(client, "/api/complete", {"class": "cat", "strokes": CAT_SO_FAR, "canvas": CANVAS,
                                           "variations": 3, "seed": 42, "temperature": 0.3}).json
    assert again == body  # same seed, same drawings


def test_redraw_draws_the_childs_drawing_again_in_its_place_and_size(client):
    head = [[[300, 200], [300, 120], [340, 160], [380, 120], [380, 200], [300, 200]]]  # 80 px wide, on the left
    body = {"class": "cat", "strokes": head, "canvas": CANVAS, "count": 3, "seed": 5}
    r = post(client, "/api/redraw", body)
    assert r.status_code == 200 and r.json["seed"] == 5 and len(r.json["drawings"]) == 3
    drawn = [d for d in r.json["drawings"] if d["strokes"]]
    assert drawn, "the VAE drew nothing"
    for d in drawn:
        points = np.array([p for s in d["strokes"] for p in s])
        low, high = points.min(axis=0), points.max(axis=0)
        assert (high - low).max() <= 80.5  # the child's size, never bigger
        np.testing.assert_allclose((low + high) / 2, [340, 160], atol=0.5)  # centred where the child drew
        assert (points >= 0).all() and (points <= [800, 600]).all()
    assert post(client, "/api/redraw", body).json == r.json  # same seed, same drawings


def test_redraw_says_which_objects_buddy_can_redraw(client):
    classes = {c["name"]: c for c in client.get("/api/classes").json["classes"]}
    assert classes["cat"]["redraw"] is True and classes["pig"]["redraw"] is False
    r = post(client, "/api/redraw", {"class": "pig", "strokes": CAT_SO_FAR, "canvas": CANVAS})
    assert r.status_code == 404 and r.json["error"]["code"] == "no_redraw"
    r = post(client, "/api/redraw", {"class": "cat", "strokes": [], "canvas": CANVAS})
    assert r.status_code == 400 and r.json["error"]["code"] == "empty_drawing"


def test_morph_gives_frames_from_the_childs_drawing_to_another_each_on_the_paper(client):
    head = [[[300, 200], [300, 120], [340, 160], [380, 120], [380, 200], [300, 200]]]
    before = [[[500, 400], [700, 420], [650, 560]]]  # the child's previous drawing, bottom right
    body = {"class": "cat", "strokes": head, "to": before, "canvas": CANVAS, "frames": 5, "seed": 3}
    r = post(client, "/api/morph", body)
    assert r.status_code == 200 and r.json["seed"] == 3 and r.json["to"] == "drawing"
    assert r.json["temperature"] == 0.1 and len(r.json["frames"]) == 5  # careful by default
    for frame in r.json["frames"]:
        points = np.array([p for s in frame["strokes"] for p in s])
        assert (points >= 0).all() and (points <= [800, 600]).all()
    assert post(client, "/api/morph", body).json == r.json  # same seed, same frames
    r = post(client, "/api/morph", {"class": "cat", "strokes": head, "canvas": CANVAS, "seed": 3})
    assert r.status_code == 200 and r.json["to"] == "buddy" and len(r.json["frames"]) == 9


@pytest.mark.parametrize("change, status, code", [
    ({"class": "pig"}, 404, "no_morph"),
    ({"strokes": []}, 400, "empty_drawing"),
    ({"to": []}, 400, "empty_drawing"),
    ({"to": "a cat"}, 400, "bad_type"),
    ({"to": [[[1, "x"]]]}, 400, "bad_point"),
    ({"frames": 1}, 400, "out_of_range"),
    ({"frames": 13}, 400, "out_of_range"),
])
def test_morph_refuses_what_it_cannot_do_with_a_clear_error(client, change, status, code):
    r = post(client, "/api/morph", {"class": "cat", "strokes": CAT_SO_FAR, "canvas": CANVAS, **change})
    assert r.status_code == status and r.json["error"]["code"] == code, r.json


def test_empty_strokes_draw_from_scratch_on_the_canvas(client):
    r = post(client, "/api/complete", {"class": "pig", "strokes": [], "canvas": CANVAS, "seed": 1})
    assert r.status_code == 200
    points = [p for s in r.json["completions"][0]["strokes"] for p in s]
    assert points and all(0 <= x <= 800 and 0 <= y <= 600 for x, y in points)


def test_hint_is_one_stroke_on_the_paper_or_null_and_the_same_for_the_same_seed(client):
    strokes = []
    for seed in range(1, 7):
        r = post(client, "/api/hint", {"class": "cat", "strokes": CAT_SO_FAR, "canvas": CANVAS, "seed": seed})
        assert r.status_code == 200 and r.json["seed"] == seed
        again = post(client, "/api/hint", {"class": "cat", "strokes": CAT_SO_FAR, "canvas": CANVAS, "seed": seed})
        assert again.json == r.json
        if r.json["stroke"] is not None:
            strokes.append(r.json["stroke"])
    assert strokes, "no seed gave a hint"
    for stroke in strokes:
        assert len(stroke) >= 2 and all(0 <= x <= 800 and 0 <= y <= 600 for x, y in stroke)


def test_classify_says_clearly_that_no_classifier_is_installed(client):
    r = post(client, "/api/classify", {"strokes": CAT_SO_FAR, "canvas": CANVAS})
    assert r.status_code == 503 and r.json["error"]["code"] == "classifier_unavailable"


GOOD = {"class": "cat", "strokes": CAT_SO_FAR, "canvas": CANVAS}


@pytest.mark.parametrize("body, status, code", [
    ("{not json", 400, "bad_json"),
    ('{"class": "cat", "strokes": [[[NaN, 1]]], "canvas": {"width": 8, "height": 6}}', 400, "bad_json"),
    ('{"class": "cat", "strokes": [], "canvas": {"width": Infinity, "height": 6}}', 400, "bad_json"),
    ("[1, 2]", 400, "bad_json"),
    ("", 400, "bad_json"),
    ({**GOOD, "class": "unicorn"}, 404, "unknown_class"),
    ({**GOOD, "class": 7}, 400, "missing_field"),
    ({k: v for k, v in GOOD.items() if k != "class"}, 400, "missing_field"),
    ({**GOOD, "strokes": "a cat"}, 400, "bad_type"),
    ({**GOOD, "strokes": [[]]}, 400, "bad_stroke"),
    ({**GOOD, "strokes": [[[1, 2, 3]]]}, 400, "bad_point"),
    ({**GOOD, "strokes": [[["1", 2]]]}, 400, "bad_point"),
    ({**GOOD, "strokes": [[[True, 2]]]}, 400, "bad_point"),
    ({**GOOD, "strokes": [[[1e300, 2]]]}, 400, "out_of_range"),
    ({**GOOD, "strokes": [[[1, 2]]] * 51}, 400, "too_many_strokes"),
    ({**GOOD, "strokes": [[[1, 2]] * 501]}, 400, "too_many_points"),
    ({**GOOD, "canvas": None}, 400, "bad_type"),
    ({**GOOD, "canvas": {"width": -5, "height": 600}}, 400, "out_of_range"),
    ({**GOOD, "canvas": {"width": 0, "height": 600}}, 400, "out_of_range"),
    ({**GOOD, "canvas": {"width": 1e9, "height": 600}}, 400, "out_of_range"),
    ({**GOOD, "canvas": {"width": "800", "height": 600}}, 400, "bad_type"),
    ({**GOOD, "temperature": 7}, 400, "out_of_range"),
    ({**GOOD, "temperature": -1}, 400, "out_of_range"),
    ({**GOOD, "temperature": "hot"}, 400, "bad_type"),
    ({**GOOD, "variations": 10}, 400, "out_of_range"),
    ({**GOOD, "variations": 0}, 400, "out_of_range"),
    ({**GOOD, "variations": 2.5}, 400, "bad_type"),
    ({**GOOD, "seed": -1}, 400, "out_of_range"),
    ({**GOOD, "seed": 2**40}, 400, "out_of_range"),
])
def test_bad_input_gets_a_clear_4xx(client, body, status, code):
    r = post(client, "/api/complete", body)
    assert r.status_code == status
    assert r.json["error"]["code"] == code and r.json["error"]["message"]
    assert client.get("/healthz").status_code == 200  # and the server keeps serving


HUGE = 10**400  # a 401-digit integer: valid JSON, but no float holds it


@pytest.mark.parametrize("path", ["/api/complete", "/api/hint", "/api/classify"])
@pytest.mark.parametrize("change", [
    {"canvas": {"width": HUGE, "height": 600}}, {"canvas": {"width": 800, "height": -HUGE}},
    {"strokes": [[[HUGE, 2]]]}, {"strokes": [[[1, -HUGE]]]}, {"temperature": HUGE}, {"variations": HUGE},
    {"seed": HUGE}])
def test_huge_integers_get_a_400_not_a_500(client, path, change):
    r = post(client, path, {**GOOD, **change})
    if path == "/api/classify" and not {"canvas", "strokes"} & set(change):
        assert r.status_code == 503  # classify reads neither field; the test app has no classifier
    elif path == "/api/hint" and "variations" in change:
        assert r.status_code == 200  # a hint is one stroke: it reads no variations
    else:
        assert r.status_code == 400 and r.json["error"]["code"] == "out_of_range", r.json


def test_wrong_content_type_oversized_body_and_unknown_routes(client):
    r = client.post("/api/complete", data=json.dumps(GOOD), content_type="text/plain")
    assert r.status_code == 415 and r.json["error"]["code"] == "unsupported_media_type"
    r = client.post("/api/complete", data="x" * 200_000, content_type="application/json")
    assert r.status_code == 413 and "error" in r.json
    assert client.get("/api/nothing").json["error"]["code"] == "not_found"
    assert client.get("/api/complete").status_code == 405


def test_openapi_document_describes_the_endpoints(client):
    doc = client.get("/api/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/api/classes", "/api/complete", "/api/hint", "/api/classify", "/api/imagine",
                                  "/api/redraw", "/api/morph"}
    props = doc["paths"]["/api/complete"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert props["properties"]["variations"]["maximum"] == 9


# --- fuzzing: requests generated from the OpenAPI document's schemas, plus arbitrary JSON -----------------

def from_schema(schema):
    """A hypothesis strategy for (a useful subset of) JSON Schema, straying outside the limits too."""
    kind = schema.get("type")
    if "oneOf" in schema:
        return st.one_of([from_schema(s) for s in schema["oneOf"]])
    if kind == "number":
        return st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**6, 10**6),
                         st.floats(schema.get("minimum", -1e3), schema.get("maximum", 1e3)))
    if kind == "integer":
        return st.one_of(st.integers(schema.get("minimum", -100) - 5, schema.get("maximum", 100) + 5),
                         st.integers(10**300, 10**400))  # huge integers too
    if kind == "string":  # st.text includes control characters and other odd code points
        return st.one_of(st.sampled_from(["cat", "pig", "dog", "", "c\x00at", "\u202ecat", "\ufeffcat"]),
                         st.text(max_size=20))
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {})), max_size=min(schema.get("maxItems", 6), 6))
    if kind == "object":
        props = {k: from_schema(s) for k, s in schema.get("properties", {}).items()}
        required = set(schema.get("required", []))
        return st.fixed_dictionaries({k: s for k, s in props.items() if k in required},
                                     optional={k: s for k, s in props.items() if k not in required})
    return st.none()


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20)


# How a body may arrive: as sent, with a byte-order mark, in UTF-16 or UTF-32, truncated, or with a NUL inside
WIRE_FORMS = {
    "utf-8": lambda text, cut: text.encode(),
    "bom": lambda text, cut: b"\xef\xbb\xbf" + text.encode(),
    "utf-16": lambda text, cut: text.encode("utf-16"),
    "utf-32": lambda text, cut: text.encode("utf-32"),
    "truncated": lambda text, cut: text.encode()[:max(0, len(text.encode()) - 1 - cut)],
    "nul": lambda text, cut: text.encode()[:cut] + b"\x00" + text.encode()[cut:],
}


@pytest.fixture(scope="module")
def api_doc(app):
    """The served OpenAPI document."""
    return app.test_client().get("/api/openapi.json").json


@pytest.mark.parametrize("path", ["/api/complete", "/api/hint", "/api/classify", "/api/imagine", "/api/redraw",
                                  "/api/morph"])
def test_fuzz_never_gives_a_5xx(app, api_doc, path):
    schema = api_doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    client = app.test_client()

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.one_of(from_schema(schema), JSON), st.sampled_from(list(WIRE_FORMS)), st.integers(0, 50))
    def check(body, wire, cut):
        raw = WIRE_FORMS[wire](json.dumps(body), cut)
        r = client.post(path, data=raw, content_type="application/json")
        assert r.status_code < 500 or (path == "/api/classify" and r.status_code == 503), (body, wire, r.json)
        assert r.is_json

    check()


def test_imagine_finishes_one_beginning_with_several_objects_each_named(client):
    r = post(client, "/api/imagine", {"strokes": CAT_SO_FAR, "canvas": CANVAS, "count": 2, "seed": 5})
    assert r.status_code == 200
    endings = r.json["endings"]
    assert sorted(e["class"] for e in endings) == ["cat", "pig"]  # the two objects this server draws
    for e in endings:
        assert e["label"] and e["icon"] and e["strokes"]
        for line in e["strokes"]:
            for x, y in line:
                assert 0 <= x <= CANVAS["width"] and 0 <= y <= CANVAS["height"]  # on the paper
    again = post(client, "/api/imagine", {"strokes": CAT_SO_FAR, "canvas": CANVAS, "count": 2, "seed": 5})
    assert again.json == r.json  # the same seed, the same endings
    empty = post(client, "/api/imagine", {"strokes": [], "canvas": CANVAS})
    assert empty.status_code == 400 and empty.json["error"]["code"] == "empty_drawing"
    assert post(client, "/api/imagine", {"strokes": CAT_SO_FAR, "canvas": CANVAS, "count": 10}).status_code == 400


def test_imagine_in_a_classroom_offers_only_its_objects(app, client):
    room = app.extensions["doodle_classrooms"].create("Room", ["pig"], "2468", ["cat", "pig"])
    r = post(client, "/api/imagine", {"strokes": CAT_SO_FAR, "canvas": CANVAS, "classroom": room.code, "count": 6})
    assert r.status_code == 200 and [e["class"] for e in r.json["endings"]] == ["pig"]


def test_a_client_over_its_rate_limit_gets_429_in_the_api_shape_and_others_go_on(model_dir, tmp_path):
    from app import create_app

    app = create_app({"MODEL_DIRS": [str(model_dir)], "EXTRA_MODEL_DIRS": [], "WARMUP": False, "TESTING": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}", "SECRET_KEY": "s",
                      "API_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    drawing = {"class": "cat", "strokes": CAT_SO_FAR, "canvas": CANVAS, "seed": 1}
    first = [post(client, "/api/classify", drawing).status_code for _ in range(3)]
    assert 429 not in first
    r = post(client, "/api/complete", drawing)
    assert r.status_code == 429 and r.json["error"]["code"] == "too_many_requests" and int(r.headers["Retry-After"]) > 0
    assert client.get("/api/classes").status_code == 200  # cheap endpoints are not limited
    other = client.post("/api/complete", data=json.dumps(drawing), content_type="application/json",
                        environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert other.status_code == 200  # another client is not held by the first one's limit


def test_the_default_rate_limit_serves_a_class_of_30_behind_one_address_and_stops_a_flood(model_dir, tmp_path):
    """issue 49.1: a class of 30 drawing for a minute behind one school address sent 1,496 requests (guesses after
    every stroke, hints, Finish): the default limit lets 1,600 through, and a single client flooding the server is
    still stopped within a minute. (Empty bodies: every request counts, answered or not.)"""
    from app import create_app
    from app.web import settings

    defaults = {k: v for k, v in settings.from_environment().items()
                if k in ("API_RATE_LIMIT", "RATELIMIT_ENABLED", "RATELIMIT_STRATEGY")}
    app = create_app({"MODEL_DIRS": [str(model_dir)], "EXTRA_MODEL_DIRS": [], "WARMUP": False, "TESTING": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}", "SECRET_KEY": "s", **defaults})
    client = app.test_client()
    statuses = [post(client, "/api/classify", "{}").status_code for _ in range(1600)]
    assert 429 not in statuses and set(statuses) == {400}
    flood = [post(client, "/api/hint", "{}").status_code for _ in range(2400)]
    assert 429 in flood


def test_only_the_trusted_proxy_may_name_the_client_and_a_proxy_of_everybody_is_refused(model_dir, tmp_path):
    """issue 49.5: X-Forwarded-For counts only from the proxy's address or network: a client reaching the server
    directly cannot dodge its limit by naming others, while children behind the proxy are counted apart."""
    from app import create_app

    def make(proxy):
        return create_app({"MODEL_DIRS": [str(model_dir)], "EXTRA_MODEL_DIRS": [], "WARMUP": False, "TESTING": True,
                           "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}", "SECRET_KEY": "s",
                           "API_RATE_LIMIT": "10 per minute", "TRUSTED_PROXY": proxy}).test_client()

    client = make("10.1.0.0/24")

    def classify(remote, named):
        return client.post("/api/classify", data="{}", content_type="application/json",
                           headers={"X-Forwarded-For": named}, environ_base={"REMOTE_ADDR": remote}).status_code

    spoofed = [classify("192.0.2.5", f"198.51.100.{i}") for i in range(30)]
    assert spoofed.count(429) == 20  # one client, whatever it says
    behind = [classify("10.1.0.7", f"198.51.100.{i}") for i in range(30)]
    assert 429 not in behind  # 30 children behind the proxy, one request each
    for everybody in ("*", "nginx"):
        with pytest.raises(ValueError, match="DOODLE_TRUSTED_PROXY"):
            make(everybody)


def test_redirects_stay_on_this_server_and_teacher_pages_are_never_cached_or_framed(client):
    """issue 49.5: the added-slash redirect is a path, never the Host a request named; the pages refuse frames in
    old browsers too; a teacher's page is not kept for the next user of a shared tablet."""
    r = client.get("/teacher", headers={"Host": "evil.example"})
    assert r.status_code in (301, 308) and r.headers["Location"] == "/teacher/"
    page = client.get("/teacher/")
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["X-Frame-Options"] == "DENY"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


def test_a_teacher_session_behind_tls_gets_a_secure_cookie(model_dir, tmp_path):
    """issue 49.5: behind a TLS proxy (X-Forwarded-Proto from the trusted proxy), the session cookie is Secure."""
    from app import create_app

    app = create_app({"MODEL_DIRS": [str(model_dir)], "EXTRA_MODEL_DIRS": [], "WARMUP": False, "TESTING": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}", "SECRET_KEY": "s",
                      "TRUSTED_PROXY": "10.1.0.1"})
    tls = app.test_client().get("/teacher/", headers={"X-Forwarded-Proto": "https"},
                                environ_base={"REMOTE_ADDR": "10.1.0.1"})
    assert "Secure" in tls.headers["Set-Cookie"]
    spoofed = app.test_client().get("/teacher/", headers={"X-Forwarded-Proto": "https"},
                         environ_base={"REMOTE_ADDR": "192.0.2.5"})
    assert "Secure" not in spoofed.headers["Set-Cookie"]


def busy_app(model_dir, tmp_path, monkeypatch, **config):
    """An app whose hints are held until ``release`` is set (``started`` says one began), with these gate
    settings."""
    import threading

    from app import create_app
    from app.engine import buddy

    app = create_app({"MODEL_DIRS": [str(model_dir)], "EXTRA_MODEL_DIRS": [], "WARMUP": False, "TESTING": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}", "SECRET_KEY": "s", **config})
    release, started = threading.Event(), threading.Semaphore(0)
    real_hint = buddy.hint

    def slow_hint(*args, **kwargs):
        started.release()
        release.wait(10)
        return real_hint(*args, **kwargs)

    monkeypatch.setattr(buddy, "hint", slow_hint)
    return app, release, started


def test_when_every_slot_stays_busy_a_request_gets_503_with_retry_after(model_dir, tmp_path, monkeypatch):
    import threading

    app, release, started = busy_app(model_dir, tmp_path, monkeypatch, MAX_BUSY=1, BUSY_WAIT=0.2)
    drawing = {"class": "cat", "strokes": CAT_SO_FAR, "canvas": CANVAS, "seed": 1}
    held = threading.Thread(target=lambda: post(app.test_client(), "/api/hint", drawing))
    held.start()
    assert started.acquire(timeout=10)
    r = post(app.test_client(), "/api/complete", drawing)
    assert r.status_code == 503 and r.json["error"]["code"] == "busy" and r.headers["Retry-After"] == "2", r.headers
    assert app.test_client().get("/healthz").status_code == 200  # the server itself still answers
    release.set()
    held.join()
    assert post(app.test_client(), "/api/complete", drawing).status_code == 200  # the slot is free again


def huge_drawing(points: int) -> dict:
    """A drawing of one stroke of ``points`` points (a body of about 12 bytes a point)."""
    return {"class": "cat", "strokes": [[[10 + i % 700, 10 + (i * 7) % 500] for i in range(points)]],
            "canvas": CANVAS, "seed": 1}


def test_in_a_storm_of_huge_drawings_the_server_refuses_them_at_once_and_a_childs_drawing_still_gets_in(
        model_dir, tmp_path, monkeypatch):
    """issue 49.3: a huge drawing runs only while slots stay free for children's drawings after it, and never
    waits; over that it gets the 503 at once (the page tries again), and a child's small Finish is answered."""
    import threading
    import time

    app, release, started = busy_app(model_dir, tmp_path, monkeypatch, MAX_BUSY=8, BUSY_RESERVE=2, BUSY_WAIT=5,
                                     MAX_WAITING=4, MAX_POINTS=20000)
    huge = huge_drawing(10_000)  # about 6 of the gate's 8 slots
    held = threading.Thread(target=lambda: post(app.test_client(), "/api/hint", huge))
    held.start()
    try:
        assert started.acquire(timeout=10)
        began = time.monotonic()
        r = post(app.test_client(), "/api/complete", huge)
        assert r.status_code == 503 and r.json["error"]["code"] == "busy" and r.headers["Retry-After"] == "2"
        assert time.monotonic() - began < 2  # refused at once, not after BUSY_WAIT
        child = {"class": "cat", "strokes": CAT_SO_FAR, "canvas": CANVAS, "seed": 1}
        assert post(app.test_client(), "/api/complete", child).status_code == 200
        assert app.test_client().get("/healthz").status_code == 200
    finally:
        release.set()
        held.join()


def test_a_class_of_thirty_pressing_finish_together_is_answered_with_the_defaults(model_dir, tmp_path, monkeypatch):
    """issue 49.1: thirty children pressing a button at the same moment all get their drawing: the ones that do
    not fit in the slots wait their turn (the defaults let 32 wait), none is refused."""
    import threading
    import time

    app, release, started = busy_app(model_dir, tmp_path, monkeypatch)
    child = {"class": "cat", "strokes": CAT_SO_FAR, "canvas": CANVAS, "seed": 1}
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(post(app.test_client(), "/api/hint", child)))
               for _ in range(30)]
    for t in threads:
        t.start()
    gate = app.extensions["doodle_busy_gate"]
    deadline = time.monotonic() + 20
    while gate.waiting < 30 - gate.capacity and time.monotonic() < deadline:
        time.sleep(0.01)
    assert gate.waiting == 30 - gate.capacity  # every slot busy, the rest waiting, not refused
    release.set()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers) == [200] * 30


def test_only_a_few_requests_wait_for_a_slot_the_rest_are_refused_at_once(model_dir, tmp_path, monkeypatch):
    """issue 49.3: waiting requests hold server threads, so at most MAX_WAITING wait; one more gets the 503 at
    once, and the server's other threads stay free for pages and the health check."""
    import threading
    import time

    app, release, started = busy_app(model_dir, tmp_path, monkeypatch, MAX_BUSY=1, BUSY_WAIT=5, MAX_WAITING=1)
    child = {"class": "cat", "strokes": CAT_SO_FAR, "canvas": CANVAS, "seed": 1}
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(post(app.test_client(), "/api/hint", child)))
               for _ in range(2)]
    threads[0].start()
    try:
        assert started.acquire(timeout=10)
        threads[1].start()  # waits for the one slot
        gate = app.extensions["doodle_busy_gate"]
        deadline = time.monotonic() + 5
        while gate.waiting < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        began = time.monotonic()
        r = post(app.test_client(), "/api/complete", child)
        assert r.status_code == 503 and time.monotonic() - began < 2
        assert app.test_client().get("/").status_code == 200
    finally:
        release.set()
        for t in threads:
            t.join()
    assert [a.status_code for a in answers] == [200, 200]  # the waiting one ran when the slot came free


@pytest.mark.parametrize("method, path, body", [
    ("get", "/", None), ("get", "/teacher/", None), ("get", "/api/classes", None), ("get", "/healthz", None),
    ("post", "/api/complete", "{not json"), ("get", "/no-such-page", None), ("get", "/static/js/main.js", None)])
def test_every_response_forbids_other_hosts_sniffing_and_referrers(client, method, path, body):
    r = getattr(client, method)(path, data=body, content_type="application/json" if body else None)
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Referrer-Policy"] == "no-referrer"
    r.close()  # a static file is streamed from disk


def test_hits_from_many_threads_at_once_start_one_expiry_timer(monkeypatch):
    """The rate limiter's memory storage starts its expiry timer under a lock. limits' own storage let two threads
    both find the timer stopped and start one, and the second raised "threads can only be started once": a 500
    under a storm (seen 1 in ~2,000 refused requests). Here the timers take a moment to start, as a thread
    preempted there would."""
    import threading
    import time

    from limits import parse
    from limits.storage import storage_from_string
    from limits.strategies import MovingWindowRateLimiter

    from app.web.api import LockedMemoryStorage

    started = []

    class SlowTimer(threading.Timer):
        def start(self):
            time.sleep(0.005)
            started.append(self)
            super().start()

    storage = storage_from_string("memory://")
    assert isinstance(storage, LockedMemoryStorage)
    storage.timer.join()  # the first expiry pass has run: the next hit must start a timer
    monkeypatch.setattr(threading, "Timer", SlowTimer)
    limiter, limit, errors = MovingWindowRateLimiter(storage), parse("1000 per minute"), []
    barrier = threading.Barrier(8)

    def hit(k):
        barrier.wait()
        try:
            limiter.hit(limit, f"client-{k}")
        except RuntimeError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=hit, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(started) == 1

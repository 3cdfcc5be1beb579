"""Classrooms: a teacher limits the objects, children join by code, the store survives restarts, on SQLite and
on a real PostgreSQL server (``.ci/run`` starts one and sets DOODLE_TEST_DATABASE_URL)."""

import os
import re

import pytest
from sqlalchemy import create_engine, text

from app.classrooms import (CODE_ALPHABET, MAX_FAILED_PINS, ClassroomError, ClassroomStore, PinLocked, migrate,
                            normalize_code)

AVAILABLE = ["cat", "pig"]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'classrooms.sqlite3'}"
    url = os.environ.get("DOODLE_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("DOODLE_REQUIRE_POSTGRES") == "1":
            pytest.fail("DOODLE_TEST_DATABASE_URL is not set")
        pytest.skip("no PostgreSQL server: set DOODLE_TEST_DATABASE_URL (.ci/run starts one)")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS classrooms"))
        conn.execute(text("DROP TABLE IF EXISTS schema_version"))
    engine.dispose()
    return url


@pytest.fixture
def opened():
    """Every store opened by a test (directly or by an app), closed at its end."""
    stores = []
    yield stores
    for store in stores:
        store.close()


@pytest.fixture
def open_store(opened):
    def open_(url):
        opened.append(ClassroomStore(url))
        return opened[-1]
    return open_


@pytest.fixture
def make_app(opened, model_dir):
    def make(db_url):
        app = _app(db_url, model_dir)
        opened.append(app.extensions["doodle_classrooms"])
        return app
    return make


def _app(db_url, model_dir):
    from app import create_app

    return create_app({"MODEL_DIRS": [str(model_dir)], "EXTRA_MODEL_DIRS": [], "WARMUP": False, "TESTING": True,
                       "DATABASE_URL": db_url, "SECRET_KEY": "test-secret"})


def csrf(page_html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)


def create_classroom(client, name="Room 4", objects=("cat",), pin="2468"):
    """A teacher fills in the form -> (response, join code)."""
    token = csrf(client.get("/teacher/").text)
    r = client.post("/teacher/classrooms", data={"csrf_token": token, "name": name, "objects": list(objects),
                                                 "pin": pin})
    code = None
    if r.status_code == 303:
        code = re.search(r'id="join-code">(\w+)<', client.get(r.headers["Location"]).text).group(1)
    return r, code


def test_store_round_trip_and_pins_are_hashed(db_url, open_store):
    store = open_store(db_url)
    room = store.create("  Room 4 ", ["pig", "cat", "cat"], "2468", AVAILABLE)
    assert room.name == "Room 4" and room.objects == ["cat", "pig"]
    assert len(room.code) == 6 and set(room.code) <= set(CODE_ALPHABET)
    assert store.get(room.code.lower()) == room
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT pin_hash FROM classrooms")).scalar()
    assert "2468" not in stored and stored.startswith(("scrypt:", "pbkdf2:"))
    assert store.update(room.code, "Room 5", ["pig"], AVAILABLE).objects == ["pig"]
    store.delete(room.code)
    assert store.get(room.code) is None


@pytest.mark.parametrize("name, objects, pin, message", [
    ("", ["cat"], "1234", "name"),
    ("x" * 61, ["cat"], "1234", "too long"),
    ("Room", [], "1234", "at least one"),
    ("Room", ["unicorn"], "1234", "not available"),
    ("Room", ["cat"], "12", "4 to 8 digits"),
    ("Room", ["cat"], "abcd", "4 to 8 digits"),
])
def test_bad_classrooms_get_a_clear_message(db_url, open_store, name, objects, pin, message):
    with pytest.raises(ClassroomError, match=message):
        open_store(db_url).create(name, objects, pin, AVAILABLE)


@pytest.mark.parametrize("raw", ["", "ABC", "ABCDEFG", "ABCDE0", "ABCD1I", None, "ABC DE!"])
def test_malformed_codes_are_refused(raw):
    with pytest.raises(ClassroomError):
        normalize_code(raw)


def test_codes_are_forgiving_to_type():
    assert normalize_code(" abc-def ") == "ABCDEF"


def test_wrong_pins_lock_the_classroom_for_a_while(db_url, open_store):
    store = open_store(db_url)
    room = store.create("Room", ["cat"], "2468", AVAILABLE)
    assert store.verify_pin(room.code, "2468")
    for _ in range(MAX_FAILED_PINS - 1):
        assert not store.verify_pin(room.code, "0000")
    assert not store.verify_pin(room.code, "1111")  # the last allowed try locks it
    with pytest.raises(PinLocked):
        store.verify_pin(room.code, "2468")  # even the right PIN waits
    assert open_store(db_url).get(room.code) is not None  # the lock did not harm the classroom


def test_concurrent_wrong_pins_each_count_and_no_more_than_the_limit_are_checked(db_url, open_store, monkeypatch):
    import threading

    from app import classrooms

    store = open_store(db_url)
    room = store.create("Room", ["cat"], "2468", AVAILABLE)
    checked = []
    real_check = classrooms.check_password_hash
    monkeypatch.setattr(classrooms, "check_password_hash", lambda h, p: checked.append(p) or real_check(h, p))
    outcomes = []

    def guess(i):
        try:
            outcomes.append(store.verify_pin(room.code, f"{1000 + i}"))
        except PinLocked:
            outcomes.append("locked")

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checked) == MAX_FAILED_PINS  # 12 guesses at once: only the allowed number were checked
    assert outcomes.count(False) == MAX_FAILED_PINS and outcomes.count("locked") == 12 - MAX_FAILED_PINS
    with pytest.raises(PinLocked):
        store.verify_pin(room.code, "2468")


def test_the_right_pin_clears_the_count_and_an_old_lock_runs_out(db_url, open_store):
    from datetime import timedelta

    from app import classrooms

    store = open_store(db_url)
    room = store.create("Room", ["cat"], "2468", AVAILABLE)
    for _ in range(MAX_FAILED_PINS - 1):
        assert not store.verify_pin(room.code, "0000")
    assert store.verify_pin(room.code, "2468")
    for _ in range(MAX_FAILED_PINS):
        assert not store.verify_pin(room.code, "0000")
    with store.engine.begin() as conn:  # five minutes later
        conn.execute(classrooms.update(classrooms.Classroom).values(
            locked_until=classrooms._now() - timedelta(seconds=1)))
    assert store.verify_pin(room.code, "2468")


def test_several_servers_starting_at_once_on_a_new_database_all_start(db_url, open_store):
    import threading

    errors, stores = [], []

    def start():
        try:
            stores.append(ClassroomStore(db_url))
        except Exception as exc:  # noqa: BLE001 - any failure to start is what this test looks for
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for store in stores:
        store.close()
    assert not errors, errors
    with open_store(db_url).engine.begin() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM schema_version")).scalar() == 1


def test_the_schema_is_versioned_and_upgrades_keep_classrooms(db_url, open_store):
    store = open_store(db_url)
    room = store.create("Room", ["cat"], "2468", AVAILABLE)
    assert migrate(store.engine) == 1  # already current: nothing to do
    again = open_store(db_url)  # a restarted (or upgraded) app on the same database
    assert again.get(room.code) == room
    with again.engine.begin() as conn:
        conn.execute(text("INSERT INTO schema_version (version) VALUES (99)"))
    with pytest.raises(RuntimeError, match="newer than this app"):
        ClassroomStore(db_url)


def test_a_teacher_limits_the_objects_and_it_survives_a_restart(db_url, make_app):
    teacher = make_app(db_url).test_client()
    r, code = create_classroom(teacher, objects=["cat"])
    assert r.status_code == 303 and code
    # the app restarts between the write and the reads
    child = make_app(db_url).test_client()
    assert [c["name"] for c in child.get(f"/api/classes?classroom={code}").json["classes"]] == ["cat"]
    assert child.get(f"/c/{code}").status_code == 200
    drawing = {"strokes": [], "canvas": {"width": 300, "height": 300}, "classroom": code, "seed": 1}
    assert child.post("/api/complete", json={**drawing, "class": "cat"}).status_code == 200
    refused = child.post("/api/complete", json={**drawing, "class": "pig"})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "class_not_in_classroom"
    assert child.post("/api/hint", json={**drawing, "class": "pig"}).status_code == 403
    assert child.post("/api/complete", json={**drawing, "class": "pig", "classroom": "ZZZZZZ"}).status_code == 404
    assert child.post("/api/complete", json={**drawing, "class": "pig", "classroom": "??"}).status_code == 400
    assert child.post("/api/complete", json={**drawing, "class": "pig", "classroom": 7}).status_code == 400
    assert child.get("/api/classes?classroom=nope").status_code == 400
    # the teacher comes back on another browser with the PIN and adds pig
    other = make_app(db_url).test_client()
    token = csrf(other.get("/teacher/").text)
    assert other.get(f"/teacher/c/{code}").status_code == 403  # not without the PIN
    wrong = other.post("/teacher/open", data={"csrf_token": token, "code": code, "pin": "1111"})
    assert wrong.status_code == 403 and "PIN is not right" in wrong.text
    ok = other.post("/teacher/open", data={"csrf_token": token, "code": code.lower(), "pin": "2468"})
    assert ok.status_code == 303
    page = other.get(ok.headers["Location"]).text
    r = other.post(f"/teacher/c/{code}", data={"csrf_token": csrf(page), "name": "Room 4b", "objects": ["cat", "pig"]})
    assert r.status_code == 303
    assert [c["name"] for c in child.get(f"/api/classes?classroom={code}").json["classes"]] == ["cat", "pig"]
    # and deletes it
    r = other.post(f"/teacher/c/{code}/delete", data={"csrf_token": csrf(page)})
    assert r.status_code == 303
    assert child.get(f"/api/classes?classroom={code}").status_code == 404
    assert child.get(f"/c/{code}").status_code == 404


def test_forms_need_the_csrf_token_and_bad_input_gets_a_message(db_url, make_app):
    client = make_app(db_url).test_client()
    assert client.post("/teacher/classrooms", data={"name": "Room", "objects": ["cat"], "pin": "2468"}).status_code == 400
    r, _ = create_classroom(client, name="")
    assert r.status_code == 400 and "give the classroom a name" in r.text
    r, _ = create_classroom(client, objects=["unicorn"])
    assert r.status_code == 400 and "not available" in r.text
    token = csrf(client.get("/teacher/").text)
    r = client.post("/teacher/open", data={"csrf_token": token, "code": "12", "pin": "2468"})
    assert r.status_code == 400 and "6 letters" in r.text
    r = client.post("/teacher/open", data={"csrf_token": token, "code": "ZZZZZZ", "pin": "2468"})
    assert r.status_code == 404
    assert client.get("/join?code=zz").status_code == 400
    assert client.get("/c/ZZZZZZ").status_code == 404

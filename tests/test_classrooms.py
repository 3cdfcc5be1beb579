"""Classrooms: a teacher limits the objects, children join by code, the store survives restarts, on SQLite and
on a real PostgreSQL server (``.ci/run`` starts one and sets DOODLE_TEST_DATABASE_URL)."""

import os
import re
from datetime import UTC

import pytest
from sqlalchemy import create_engine, text, update

from app.classrooms import (
    CODE_ALPHABET,
    MAX_CLASSROOM_PINS,
    MAX_FAILED_PINS,
    SCHEMA_VERSION,
    ClassroomError,
    ClassroomStore,
    PinLocked,
    migrate,
    normalize_code,
)
from tests.conftest import empty_postgres

AVAILABLE = ["cat", "pig"]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'classrooms.sqlite3'}"
    return empty_postgres()


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
        page = client.get(r.headers["Location"]).text
        assert "Your classroom is ready" in page  # told once, on the page it lands on
        code = re.search(r'id="join-code">(\w+)<', page).group(1)
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


def test_a_browser_with_too_many_wrong_pins_waits_but_the_teacher_elsewhere_gets_in(db_url, open_store):
    store = open_store(db_url)
    room = store.create("Room", ["cat"], "2468", AVAILABLE)
    for _ in range(MAX_FAILED_PINS):
        assert not store.verify_pin(room.code, "0000", client="child-1")
    with pytest.raises(PinLocked, match="try again in 5 minutes"):
        store.verify_pin(room.code, "2468", client="child-1")  # this browser waits, even with the right PIN
    assert store.verify_pin(room.code, "2468", client="teacher-phone")  # a new browser of the teacher: not held
    assert open_store(db_url).get(room.code) is not None  # the lock did not harm the classroom


def test_a_whole_class_guessing_is_bounded_and_the_teachers_own_browser_still_gets_in(db_url, open_store):
    store = open_store(db_url)
    room = store.create("Room", ["cat"], "2468", AVAILABLE)
    checked = 0
    for child in range(12):  # 12 children with 5 guesses each, or a script that drops its cookies
        for guess in range(MAX_FAILED_PINS):
            try:
                assert not store.verify_pin(room.code, f"{1000 + child * 10 + guess}", client=f"child-{child}")
                checked += 1
            except PinLocked:
                pass
    assert checked == MAX_CLASSROOM_PINS  # the hard bound on guesses against one classroom
    with pytest.raises(PinLocked, match="try again in 60 minutes"):
        store.verify_pin(room.code, "2468", client="new-browser")  # an untrusted browser waits for the hour
    assert store.verify_pin(room.code, "2468", client="teacher-laptop", trusted=True)  # the teacher's own gets in
    assert store.verify_pin(room.code, "2468", client="new-browser")  # and the right PIN cleared the count


def test_concurrent_wrong_pins_each_count_and_no_more_than_the_limit_are_checked(db_url, open_store, monkeypatch):
    import threading

    from app import classrooms

    store = open_store(db_url)
    room = store.create("Room", ["cat"], "2468", AVAILABLE)
    checked = []
    real_check = classrooms.check_password_hash
    monkeypatch.setattr(classrooms, "check_password_hash", lambda h, p: checked.append(p) or real_check(h, p))

    def guess_at_once(clients):
        outcomes = []

        def guess(i, client):
            try:
                outcomes.append(store.verify_pin(room.code, f"{1000 + i}", client=client))
            except PinLocked:
                outcomes.append("locked")

        threads = [threading.Thread(target=guess, args=(i, c)) for i, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return outcomes

    outcomes = guess_at_once(["child"] * 12)  # one browser, 12 guesses at once
    assert len(checked) == MAX_FAILED_PINS and outcomes.count(False) == MAX_FAILED_PINS
    assert outcomes.count("locked") == 12 - MAX_FAILED_PINS
    outcomes = guess_at_once([f"c{i}" for i in range(30)])  # 30 browsers at once
    assert len(checked) == MAX_CLASSROOM_PINS
    assert outcomes.count("locked") == 30 - (MAX_CLASSROOM_PINS - MAX_FAILED_PINS)
    with pytest.raises(PinLocked):
        store.verify_pin(room.code, "2468", client="another")


def test_the_right_pin_clears_the_count_and_an_old_lock_runs_out(db_url, open_store):
    from datetime import timedelta

    from app import classrooms

    store = open_store(db_url)
    room = store.create("Room", ["cat"], "2468", AVAILABLE)
    for _ in range(MAX_FAILED_PINS - 1):
        assert not store.verify_pin(room.code, "0000", client="me")
    assert store.verify_pin(room.code, "2468", client="me")
    for _ in range(MAX_FAILED_PINS):
        assert not store.verify_pin(room.code, "0000", client="me")
    with pytest.raises(PinLocked):
        store.verify_pin(room.code, "2468", client="me")
    with store.engine.begin() as conn:  # five minutes later
        conn.execute(update(classrooms.PinTry).values(
            at=classrooms.PinTry.at - classrooms.PIN_WINDOW - timedelta(seconds=1)))
    assert store.verify_pin(room.code, "2468", client="me")


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
        assert conn.execute(text("SELECT COUNT(*) FROM schema_version")).scalar() == SCHEMA_VERSION


def test_the_schema_is_versioned_and_upgrades_keep_classrooms(db_url, open_store):
    store = open_store(db_url)
    room = store.create("Room", ["cat"], "2468", AVAILABLE)
    assert migrate(store.engine) == SCHEMA_VERSION  # already current: nothing to do
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
    assert "Your classroom is ready" not in teacher.get(r.headers["Location"]).text  # said once, not on reload
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
    sent = other.get(f"/teacher/c/{code}")  # not without the PIN: sent to enter it, the code filled in
    assert sent.status_code == 303 and f"/teacher/?code={code}" in sent.headers["Location"]
    asked = other.get(sent.headers["Location"]).text
    assert "Enter the teacher PIN" in asked and f'value="{code}"' in asked
    wrong = other.post("/teacher/open", data={"csrf_token": token, "code": code, "pin": "1111"})
    assert wrong.status_code == 403 and "PIN is not right" in wrong.text and f'value="{code}"' in wrong.text
    ok = other.post("/teacher/open", data={"csrf_token": token, "code": code.lower(), "pin": "2468"})
    assert ok.status_code == 303
    page = other.get(ok.headers["Location"]).text
    r = other.post(f"/teacher/c/{code}", data={"csrf_token": csrf(page), "name": "Room 4b", "objects": ["cat", "pig"]})
    assert r.status_code == 303
    assert [c["name"] for c in child.get(f"/api/classes?classroom={code}").json["classes"]] == ["cat", "pig"]
    assert f'href="/c/{code}"' in page  # the join link never comes from the Host header
    # and deletes it, once she ticked that she means it
    r = other.post(f"/teacher/c/{code}/delete", data={"csrf_token": csrf(page)})
    assert r.status_code == 400 and "tick the box" in r.text
    assert child.get(f"/api/classes?classroom={code}").status_code == 200
    r = other.post(f"/teacher/c/{code}/delete", data={"csrf_token": csrf(page), "confirm": "yes"})
    assert r.status_code == 303
    assert child.get(f"/api/classes?classroom={code}").status_code == 404
    assert child.get(f"/c/{code}").status_code == 404


def test_forms_need_the_csrf_token_and_bad_input_gets_a_message(db_url, make_app):
    client = make_app(db_url).test_client()
    no_token = {"name": "Room", "objects": ["cat"], "pin": "2468"}
    assert client.post("/teacher/classrooms", data=no_token).status_code == 400
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


def test_an_old_database_is_upgraded_and_keeps_its_classrooms(db_url, open_store):
    from datetime import datetime

    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from app import classrooms

    engine = create_engine(db_url)
    with engine.begin() as conn:  # a database left by the version 1 app, with one classroom
        conn.execute(text("CREATE TABLE schema_version (version INTEGER NOT NULL)"))
        classrooms._step_1(conn)
        conn.execute(text("INSERT INTO schema_version (version) VALUES (1)"))
        now = datetime.now(UTC)
        conn.execute(insert(classrooms.Table("classrooms", classrooms.MetaData(), autoload_with=conn)).values(
            code="ABCDEF", name="Old room", objects=["cat"], pin_hash=generate_password_hash("2468"), failed_pins=3,
            locked_until=None, created_at=now, updated_at=now))
    engine.dispose()
    store = open_store(db_url)
    assert store.get("ABCDEF").name == "Old room"
    assert not store.verify_pin("ABCDEF", "1111", client="x") and store.verify_pin("ABCDEF", "2468", client="x")
    assert not store.verify_recovery("ABCDEF", "AAAA-AAAA-AAAA")  # made before recovery codes: it has none


def test_children_guessing_the_pin_never_lock_out_the_teachers_browser(db_url, make_app):
    app = make_app(db_url)
    teacher = app.test_client()
    _, code = create_classroom(teacher)
    for _ in range(8):  # a class of children, each in their own browser, types PINs at the board's code
        browser = app.test_client()
        token = csrf(browser.get("/teacher/").text)
        statuses = [browser.post("/teacher/open", data={"csrf_token": token, "code": code, "pin": f"{1000 + i}"})
                    .status_code for i in range(MAX_FAILED_PINS + 1)]
        assert set(statuses) <= {403, 429} and statuses[-1] == 429
    locked = app.test_client()
    token = csrf(locked.get("/teacher/").text)
    r = locked.post("/teacher/open", data={"csrf_token": token, "code": code, "pin": "2468"})
    assert r.status_code == 429 and "try again in" in r.text and "UTC" not in r.text  # a new browser waits
    # the next day the teacher's session is over, but her browser is remembered: the right PIN opens it
    teacher.delete_cookie("session")
    token = csrf(teacher.get("/teacher/").text)
    r = teacher.post("/teacher/open", data={"csrf_token": token, "code": code, "pin": "2468"})
    assert r.status_code == 303


def test_wrong_pins_sent_at_once_from_a_browser_new_to_the_pin_form_count_as_one_browser(db_url, make_app):
    """issue 49.6: a browser that just opened the form (its session has no id yet) sends 20 wrong PINs at once, each
    with the same cookie: they are one browser's tries, so 5 are checked and the rest wait."""
    app = make_app(db_url)
    _, code = create_classroom(app.test_client())
    browser = app.test_client()
    token = csrf(browser.get("/teacher/").text)
    cookie = browser.get_cookie("session").value  # what every one of the 20 requests carries
    statuses = []
    for i in range(20):
        browser.set_cookie("session", cookie)
        statuses.append(browser.post("/teacher/open", data={"csrf_token": token, "code": code,
                                                            "pin": f"{1000 + i}"}).status_code)
    assert statuses.count(403) == MAX_FAILED_PINS and statuses.count(429) == 20 - MAX_FAILED_PINS


def test_a_script_making_classrooms_is_stopped_and_a_school_making_a_few_is_not(db_url, make_app):
    """issue 49.7: one address makes at most 30 classrooms an hour (a school's teachers share an address); the
    31st gets a kind 429 on the form, nothing is stored, and another address goes on."""
    app = make_app(db_url)
    made = [create_classroom(app.test_client(), name=f"Room {i}")[0].status_code for i in range(31)]
    assert made == [303] * 30 + [429]
    store = app.extensions["doodle_classrooms"]
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM classrooms").scalar() == 30
    other = app.test_client()
    token = csrf(other.get("/teacher/").text)
    r = other.post("/teacher/classrooms", data={"csrf_token": token, "name": "Room 99", "objects": ["cat"],
                                                "pin": "2468"}, environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert r.status_code == 303


def test_the_recovery_code_shown_once_lets_the_teacher_in_after_children_spent_every_wrong_pin(db_url, make_app):
    """issue 49.6: children who typed the classroom's 20 wrong PINs an hour cannot lock the teacher out: on a new
    device the recovery code shown (once) at creation opens it, and that browser is the teacher's from then on."""
    from app.classrooms import MAX_CLASSROOM_PINS

    app = make_app(db_url)
    teacher = app.test_client()
    token = csrf(teacher.get("/teacher/").text)
    r = teacher.post("/teacher/classrooms", data={"csrf_token": token, "name": "Room 5", "objects": ["cat"],
                                                  "pin": "1357"})
    page = teacher.get(r.headers["Location"]).text
    shown = re.search(r'id="recovery-code">([A-Z0-9-]+)<', page).group(1)
    code = re.search(r'id="join-code">(\w+)<', page).group(1)
    assert len(shown) == 14 and "recovery-code" not in teacher.get(r.headers["Location"]).text  # only once
    for i in range(MAX_CLASSROOM_PINS):  # children, each from a fresh browser
        child = app.test_client()
        token = csrf(child.get("/teacher/").text)
        child.post("/teacher/open", data={"csrf_token": token, "code": code, "pin": f"{2000 + i}"})
    laptop = app.test_client()
    token = csrf(laptop.get("/teacher/").text)
    r = laptop.post("/teacher/open", data={"csrf_token": token, "code": code, "pin": "1357"})
    assert r.status_code == 429 and "recovery code" in r.text  # the right PIN waits, and the page says what to do
    wrong = laptop.post("/teacher/recover", data={"csrf_token": token, "code": code, "recovery": "AAAA-AAAA-AAAA"})
    assert wrong.status_code == 403
    r = laptop.post("/teacher/recover", data={"csrf_token": token, "code": code.lower(),
                                              "recovery": shown.lower().replace("-", " ")})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/teacher/c/{code}")
    assert laptop.get(r.headers["Location"]).status_code == 200
    laptop.delete_cookie("session")  # the next day: the browser is remembered, the PIN opens it at once
    token = csrf(laptop.get("/teacher/").text)
    assert laptop.post("/teacher/open", data={"csrf_token": token, "code": code, "pin": "1357"}).status_code == 303
    assert app.extensions["doodle_classrooms"].get(code).recovery is None  # the store never gives it back


def test_names_with_control_characters_are_refused_and_emoji_are_kept(db_url, open_store):
    store = open_store(db_url)
    for bad in ("Room\x00 4", "Room\u202e4", "Tab\there"):
        with pytest.raises(ClassroomError, match="cannot be shown"):
            store.create(bad, ["cat"], "2468", AVAILABLE)
    assert store.create("👩‍🏫 Mrs Smith's Foxes 🦊", ["cat"], "2468", AVAILABLE).name == "👩‍🏫 Mrs Smith's Foxes 🦊"


def test_a_database_that_does_not_answer_gets_503_and_drawing_goes_on(tmp_path, model_dir, opened):
    from app import create_app

    app = create_app({"MODEL_DIRS": [str(model_dir)], "EXTRA_MODEL_DIRS": [], "WARMUP": False, "TESTING": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}", "SECRET_KEY": "s"})
    store = app.extensions["doodle_classrooms"]
    opened.append(store)
    client = app.test_client()
    assert client.get("/healthz").json["database"] is True
    store.engine.dispose()
    (tmp_path / "c.sqlite3").unlink()
    (tmp_path / "c.sqlite3").mkdir()  # the database is gone: no file can be opened there
    assert client.get("/healthz").json["database"] is False
    r = client.get("/api/classes?classroom=ABCDEF")
    assert r.status_code == 503 and r.json["error"]["code"] == "database_unavailable" and r.headers["Retry-After"]
    r = client.get("/c/ABCDEF")
    assert r.status_code == 503 and "Try again" in r.text
    drawing = {"class": "cat", "strokes": [], "canvas": {"width": 300, "height": 300}, "seed": 1}
    assert client.post("/api/complete", json=drawing).status_code == 200  # drawing without a classroom goes on


def test_the_embedded_database_is_private_and_a_read_only_instance_folder_says_why(tmp_path, model_dir, opened):
    import stat

    from app import create_app

    config = {"MODEL_DIRS": [str(model_dir)], "EXTRA_MODEL_DIRS": [], "WARMUP": False, "TESTING": True}
    app = create_app(config)
    opened.append(app.extensions["doodle_classrooms"])
    db = os.path.join(app.instance_path, "doodle-buddy.sqlite3")
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    from app import _writable_instance

    blocked = tmp_path / "a-file"
    blocked.write_text("")  # a folder cannot be made inside a file, even by root (as a read-only volume refuses)
    with pytest.raises(RuntimeError, match=f"{blocked / 'instance'} must be writable"):
        _writable_instance(str(blocked / "instance"))

"""Teacher pages: create a classroom (name, objects, PIN), come back with code + PIN to change or delete it.

Server-rendered forms; every POST carries a CSRF token (Flask-WTF's CSRFProtect); a teacher who created a
classroom or entered its PIN holds it in a signed session cookie (Flask's session, SECRET_KEY) for a school day,
and the browser is remembered for a year as the teacher's (``TRUSTED_COOKIE``, signed): wrong PINs typed by
children elsewhere never lock it out (``ClassroomStore.verify_pin``).
"""

from __future__ import annotations

import hashlib
import secrets

from flask import (
    Blueprint,
    abort,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.classrooms import ClassroomError, PinLocked, current_classrooms, find_classroom, normalize_code
from app.engine import catalog
from app.web import current_registry
from app.web.api import limiter

bp = Blueprint("teacher", __name__, url_prefix="/teacher")
SESSION_KEY = "classrooms"  # the join codes this browser may manage
BROWSER_KEY = "browser"  # an opaque random id of this browser, only for counting its wrong PINs
TRUSTED_COOKIE = "doodle_teacher"  # signed list of the codes whose PIN was entered (or made) in this browser
TRUSTED_AGE = 365 * 24 * 3600
TRUSTED_MAX = 20  # codes remembered per browser
RECOVERY_KEY = "recovery"  # a new classroom's recovery code, until its page has shown it once


def _available() -> list[str]:
    return sorted(current_registry().decoders)


def _objects():
    """The picture grid, theme by theme: every object the server can draw."""
    return [{**t, "objects": [{"name": n, "label": catalog.label(n), "icon": catalog.icon(n)} for n in t["objects"]]}
            for t in catalog.themes_of(_available())]


def _may_manage(code: str) -> bool:
    return code in session.get(SESSION_KEY, [])


def _grant(code: str) -> None:
    """This browser may manage the classroom today, and is remembered as its teacher's."""
    session[SESSION_KEY] = sorted({*session.get(SESSION_KEY, []), code})
    session.permanent = True
    codes = [code, *[c for c in _trusted_codes() if c != code]][:TRUSTED_MAX]

    @after_this_request
    def remember(response):
        response.set_cookie(TRUSTED_COOKIE, _signer().dumps(codes), max_age=TRUSTED_AGE, httponly=True,
                            samesite="Lax", secure=request.is_secure, path=url_for("teacher.home"))
        return response


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="doodle-teacher-browser")


def _trusted_codes() -> list[str]:
    """The codes this browser's teacher cookie vouches for (none when missing, forged or over a year old)."""
    try:
        codes = _signer().loads(request.cookies.get(TRUSTED_COOKIE, ""), max_age=TRUSTED_AGE)
    except BadSignature:
        return []
    return [c for c in codes if isinstance(c, str)] if isinstance(codes, list) else []


def _browser() -> str:
    """This browser's opaque id, kept in the session cookie. A session that has none yet takes it from the session's
    own CSRF secret (every form POST needs one), so requests sent at once with the same cookie, before any of them
    could store an id, are still one browser; a client without cookies cannot POST at all."""
    if BROWSER_KEY not in session:
        secret = session.get("csrf_token") or secrets.token_hex(16)
        session[BROWSER_KEY] = hashlib.sha256(f"browser:{secret}".encode()).hexdigest()[:16]
    return session[BROWSER_KEY]


def _home(status=200, **context):
    context.setdefault("form", {})
    return render_template("teacher.html", objects=_objects(), **context), status


@bp.errorhandler(CSRFError)
def _stale_form(exc: CSRFError):
    """A form without a valid token (open too long, or cookies blocked): say so and offer fresh forms."""
    return _home(400, error="This page was open for a long time, so nothing was changed: please try again "
                            "(cookies must be allowed for this site).")


@bp.get("/")
def home():
    """Create a classroom, or open one to change it (``?code=`` fills in the code: sent here to enter the PIN)."""
    code = request.args.get("code", "")[:12]
    return _home(open_code=code, open_hint=bool(code))


@bp.errorhandler(RateLimitExceeded)
def _too_many_classrooms(exc: RateLimitExceeded):
    """Over the classrooms a client may make in an hour (a script, not a school): say so, keep the form."""
    return _home(429, error="So many new classrooms from here! Please try again in an hour.",
                 form={"name": request.form.get("name", ""), "objects": request.form.getlist("objects")})


@bp.post("/classrooms")
@limiter.limit(lambda: current_app.config["CLASSROOM_RATE_LIMIT"], key_func=lambda: request.remote_addr or "")
def create():
    """Create a classroom and open it (this browser may now manage it)."""
    form = {"name": request.form.get("name", ""), "objects": request.form.getlist("objects")}
    try:
        room = current_classrooms().create(form["name"], form["objects"], request.form.get("pin"), _available())
    except ClassroomError as exc:
        return _home(400, error=str(exc), form=form)
    _grant(room.code)
    flash("Your classroom is ready! Put the code or the link on the board.")
    session[RECOVERY_KEY] = {"code": room.code, "recovery": room.recovery}  # shown once, on the page it lands on
    return redirect(url_for("teacher.classroom", code=room.code), code=303)


@bp.post("/open")
def open_classroom():
    """Code + PIN -> the classroom's page; wrong PINs are counted and locked out after a few."""
    try:
        code = normalize_code(request.form.get("code"))
        ok = current_classrooms().verify_pin(code, request.form.get("pin"), client=_browser(),
                                             trusted=code in _trusted_codes())
    except ClassroomError as exc:
        return _home(400, open_error=str(exc), open_code=request.form.get("code", "")[:12])
    except LookupError:
        return _home(404, open_error="there is no classroom with that code", open_code=code)
    except PinLocked as exc:
        return _home(429, open_error=f"{exc} (or use the classroom's recovery code below)", open_code=code,
                     recover_hint=True)
    if not ok:
        return _home(403, open_error="that PIN is not right", open_code=code)
    _grant(code)
    return redirect(url_for("teacher.classroom", code=code), code=303)


@bp.post("/recover")
def recover():
    """Code + recovery code -> the classroom's page, however many wrong PINs were typed; this browser is then
    remembered as the teacher's."""
    try:
        code = normalize_code(request.form.get("code"))
        ok = current_classrooms().verify_recovery(code, request.form.get("recovery"))
    except ClassroomError as exc:
        return _home(400, recover_error=str(exc), open_code=request.form.get("code", "")[:12])
    except LookupError:
        return _home(404, recover_error="there is no classroom with that code", open_code=code)
    if not ok:
        return _home(403, recover_error="that recovery code is not right", open_code=code)
    _grant(code)
    flash("Welcome back! This browser is remembered for this classroom.")
    return redirect(url_for("teacher.classroom", code=code), code=303)


def _room_or_404(code: str):
    room = find_classroom(code)
    if room is None:
        abort(404)
    if not _may_manage(room.code):  # another browser, or the day is over: the PIN opens it (not a bare 403)
        abort(redirect(url_for("teacher.home", code=room.code, _anchor="open-title"), code=303))
    return room


@bp.get("/c/<code>")
def classroom(code):
    """A classroom's page for its teacher: the join code and link, the objects, delete."""
    room = _room_or_404(code)
    shown = session.pop(RECOVERY_KEY, None)
    recovery = shown["recovery"] if shown and shown.get("code") == room.code else None
    return render_template("classroom.html", room=room, objects=_objects(), join_url=_join_url(room.code),
                           recovery=recovery)


@bp.post("/c/<code>")
def update(code):
    """Change the name and the objects."""
    room = _room_or_404(code)
    try:
        room = current_classrooms().update(room.code, request.form.get("name"), request.form.getlist("objects"),
                                           _available())
    except ClassroomError as exc:
        return render_template("classroom.html", room=room, objects=_objects(), error=str(exc),
                               join_url=_join_url(room.code)), 400
    flash("Saved.")
    return redirect(url_for("teacher.classroom", code=room.code), code=303)


def _join_url(code: str) -> str:
    """The children's link: under the configured public address, else relative (never from the Host header,
    which a client chooses); the page shows it in full with the address the teacher's browser used."""
    path = url_for("pages.classroom", code=code)
    base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
    return base + path if base else path


@bp.post("/c/<code>/delete")
def delete(code):
    """Delete the classroom, once the teacher ticked that they mean it."""
    room = _room_or_404(code)
    if request.form.get("confirm") != "yes":
        return render_template("classroom.html", room=room, objects=_objects(), join_url=_join_url(room.code),
                               delete_error="tick the box first: deleting cannot be undone"), 400
    current_classrooms().delete(room.code)
    session[SESSION_KEY] = [c for c in session.get(SESSION_KEY, []) if c != room.code]
    flash("The classroom was deleted.")
    return redirect(url_for("teacher.home"), code=303)

"""Teacher pages: create a classroom (name, objects, PIN), come back with code + PIN to change or delete it.

Server-rendered forms; every POST carries a CSRF token (Flask-WTF's CSRFProtect); a teacher who created a
classroom or entered its PIN holds it in a signed session cookie (Flask's session, SECRET_KEY).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from app import catalog
from app.classrooms import ClassroomError, PinLocked, normalize_code

bp = Blueprint("teacher", __name__, url_prefix="/teacher")
SESSION_KEY = "classrooms"  # the join codes this browser may manage


def _store():
    return current_app.extensions["doodle_classrooms"]


def _available() -> list[str]:
    return sorted(current_app.extensions["doodle_registry"].decoders)


def _objects():
    """The picture grid: every object the server can draw."""
    return [{"name": n, "label": catalog.label(n), "icon": catalog.icon(n)} for n in _available()]


def _may_manage(code: str) -> bool:
    return code in session.get(SESSION_KEY, [])


def _grant(code: str) -> None:
    session[SESSION_KEY] = sorted({*session.get(SESSION_KEY, []), code})
    session.permanent = True


def _home(status=200, **context):
    context.setdefault("form", {})
    return render_template("teacher.html", objects=_objects(), **context), status


@bp.get("/")
def home():
    """Create a classroom, or open one to change it."""
    return _home()


@bp.post("/classrooms")
def create():
    """Create a classroom and open it (this browser may now manage it)."""
    form = {"name": request.form.get("name", ""), "objects": request.form.getlist("objects")}
    try:
        room = _store().create(form["name"], form["objects"], request.form.get("pin"), _available())
    except ClassroomError as exc:
        return _home(400, error=str(exc), form=form)
    _grant(room.code)
    return redirect(url_for("teacher.classroom", code=room.code, created=1), code=303)


@bp.post("/open")
def open_classroom():
    """Code + PIN -> the classroom's page; wrong PINs are counted and locked out after a few."""
    try:
        code = normalize_code(request.form.get("code"))
        ok = _store().verify_pin(code, request.form.get("pin"))
    except ClassroomError as exc:
        return _home(400, open_error=str(exc))
    except LookupError:
        return _home(404, open_error="there is no classroom with that code")
    except PinLocked as exc:
        return _home(429, open_error=str(exc))
    if not ok:
        return _home(403, open_error="that PIN is not right")
    _grant(code)
    return redirect(url_for("teacher.classroom", code=code), code=303)


def _room_or_404(code: str):
    try:
        code = normalize_code(code)
        room = _store().get(code)
    except ClassroomError:
        room = None
    if room is None:
        abort(404)
    if not _may_manage(room.code):
        abort(403)
    return room


@bp.get("/c/<code>")
def classroom(code):
    """A classroom's page for its teacher: the join code and link, the objects, delete."""
    room = _room_or_404(code)
    return render_template("classroom.html", room=room, objects=_objects(), created=request.args.get("created"),
                           join_url=url_for("pages.classroom", code=room.code, _external=True))


@bp.post("/c/<code>")
def update(code):
    """Change the name and the objects."""
    room = _room_or_404(code)
    try:
        room = _store().update(room.code, request.form.get("name"), request.form.getlist("objects"), _available())
    except ClassroomError as exc:
        return render_template("classroom.html", room=room, objects=_objects(), error=str(exc),
                               join_url=url_for("pages.classroom", code=room.code, _external=True)), 400
    return redirect(url_for("teacher.classroom", code=room.code, saved=1), code=303)


@bp.post("/c/<code>/delete")
def delete(code):
    """Delete the classroom."""
    room = _room_or_404(code)
    _store().delete(room.code)
    session[SESSION_KEY] = [c for c in session.get(SESSION_KEY, []) if c != room.code]
    return redirect(url_for("teacher.home", deleted=1), code=303)

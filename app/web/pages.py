"""HTML pages: the children's drawing page (open, or limited to a classroom's objects) and joining by code.
Every response carries a strict Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_from_directory, url_for

from app.classrooms import ClassroomError, find_classroom, normalize_code
from app.engine.tuning import TUNING

bp = Blueprint("pages", __name__)

# Nothing may load from another host: scripts, styles, images, fonts and API calls all come from this server.
CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'"
# on every response (X-Frame-Options for browsers that ignore the CSP's frame-ancestors)
SECURITY_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Frame-Options": "DENY",
                    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


@bp.get("/")
def index():
    """The drawing page a child sees, with every object."""
    return render_template("index.html", classroom=None, default_temperature=TUNING.default_temperature)


@bp.get("/c/<code>")
def classroom(code):
    """The drawing page of a classroom: only its objects."""
    room = find_classroom(code)
    if room is None:
        return render_template("not_found.html", message="We can't find that class. Check the code?"), 404
    if room.code != code:
        return redirect(url_for("pages.classroom", code=room.code))
    return render_template("index.html", classroom=room, default_temperature=TUNING.default_temperature)


@bp.get("/music/model.json")
def melody_model():
    """The melody model the page plays along with (from the first model directory that has one)."""
    for directory in current_app.config["MODEL_DIRS"]:
        if (Path(directory) / "melody.json").is_file():
            return send_from_directory(Path(directory).resolve(), "melody.json", max_age=3600)
    abort(404)


@bp.get("/join")
def join():
    """The classroom-code form: go to the classroom's page."""
    try:
        code = normalize_code(request.args.get("code"))
    except ClassroomError:
        return render_template("not_found.html", message="A classroom code has 6 letters and numbers."), 400
    return redirect(url_for("pages.classroom", code=code))


def security_headers(response):
    """Added to every response: the CSP, no framing, no sniffing, no referrer leaving the school's server;
    teacher pages are never kept in a cache (a shared tablet's back button must not show a classroom's page to the
    next user)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.blueprint == "teacher":
        response.headers["Cache-Control"] = "no-store"
    return response

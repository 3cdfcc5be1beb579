"""HTML pages: the children's drawing page. Every response carries a strict Content-Security-Policy."""

from __future__ import annotations

from flask import Blueprint, render_template

from app import engine

bp = Blueprint("pages", __name__)

# Nothing may load from another host: scripts, styles, images, fonts and API calls all come from this server.
CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'"


@bp.get("/")
def index():
    """The drawing page a child sees."""
    return render_template("index.html", classroom=None, default_temperature=engine.DEFAULT_TEMPERATURE)


def security_headers(response):
    """Added to every response: the CSP, no sniffing, no referrer leaving the school's server."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response

"""Settings, read from the environment with embedded defaults; ``create_app(config)`` may override any."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository (app/web/settings.py)
RATE_LIMIT = "3000 per minute"  # per client address: twice what a class of 30 sends from one address


def _dirs(value: str) -> list[str]:
    """A PATH-like list of directories (``os.pathsep``-separated), empty entries dropped."""
    return [d for d in value.split(os.pathsep) if d]


def from_environment() -> dict:
    """The app's settings from environment variables (documented in the README)."""
    env = os.environ.get
    return {
        # the project's own decoders first; then extra directories (e.g. ../shared/pretrained/sketch-rnn)
        "MODEL_DIRS": _dirs(env("DOODLE_MODEL_DIRS", str(ROOT / "models"))),
        "EXTRA_MODEL_DIRS": _dirs(env("DOODLE_EXTRA_MODEL_DIRS", "")),
        "MAX_CONTENT_LENGTH": int(env("DOODLE_MAX_BODY_BYTES", 1_000_000)),  # bigger bodies get a 413
        "MAX_STROKES": int(env("DOODLE_MAX_STROKES", 300)),  # strokes in one request
        "MAX_POINTS": int(env("DOODLE_MAX_POINTS", 10_000)),  # points over all strokes in one request
        "WARMUP": env("DOODLE_WARMUP", "1") != "0",  # compile the common shapes at start-up
        "JIT": env("DOODLE_JIT", "1") != "0",  # the sampling loop compiled with XLA (0: a plain tf.function)
        "LOG_LEVEL": env("DOODLE_LOG_LEVEL", "INFO"),
        # classrooms: SQLAlchemy URL; empty = a SQLite file in Flask's instance folder (created on first start)
        "DATABASE_URL": env("DATABASE_URL", ""),
        # signs teacher session cookies; empty = a random key kept in the instance folder (set it when several
        # app servers share a database, so a teacher's cookie works on all of them)
        "SECRET_KEY": env("DOODLE_SECRET_KEY", ""),
        # the address children use, e.g. https://draw.school.example, for the join link on the teacher's page;
        # empty = the address the teacher's own browser used (never the request's Host header)
        "PUBLIC_URL": env("DOODLE_PUBLIC_URL", ""),
        # the reverse proxy in front (addresses or networks, comma-separated, e.g. 172.30.0.10 or 10.0.0.0/24):
        # only from there do X-Forwarded-For (the client, for per-client limits) and X-Forwarded-Proto count
        "TRUSTED_PROXY": env("DOODLE_TRUSTED_PROXY", ""),
        "SESSION_COOKIE_SAMESITE": "Lax",  # teacher session cookies: signed, HttpOnly, same-site
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,  # a teacher stays signed in for a school day
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,  # a teacher page's form stays valid as long as the session
        "BATCHING": env("DOODLE_BATCHING", "1") != "0",
        # requests per client (address) to complete, hint and classify, in the limits library's notation; a whole
        # class behind one school address shares it (a class of 30 sends about 1,500 a minute); empty = no limit
        "API_RATE_LIMIT": env("DOODLE_RATE_LIMIT", RATE_LIMIT),
        "RATELIMIT_ENABLED": env("DOODLE_RATE_LIMIT", RATE_LIMIT) != "",
        "RATELIMIT_STRATEGY": "moving-window",  # counted over the last minute, so no burst fits across a boundary
        # new classrooms per client address (a school's teachers behind one address share it); a script that makes
        # hundreds is stopped
        "CLASSROOM_RATE_LIMIT": env("DOODLE_CLASSROOM_LIMIT", "30 per hour"),
        "RATELIMIT_STORAGE_URI": env("DOODLE_RATE_LIMIT_STORAGE", "memory://"),  # per server; or e.g. redis://
        # requests running a network at once, and how long one may wait for a slot before a 503 + Retry-After
        "MAX_BUSY": int(env("DOODLE_MAX_BUSY", 8)),
        "BUSY_WAIT": float(env("DOODLE_BUSY_WAIT", 10)),  # concurrent requests share batched sampling passes
        # requests that may wait for a slot (more get the 503 at once), and the slots a big request leaves free
        # for children's drawings (app.web.api.BusyGate); MAX_BUSY + MAX_WAITING stays under the server's threads
        "MAX_WAITING": int(env("DOODLE_MAX_WAITING", 32)),  # a class of 30 pressing Finish together waits, none refused
        "BUSY_RESERVE": int(env("DOODLE_BUSY_RESERVE", 2)),
    }

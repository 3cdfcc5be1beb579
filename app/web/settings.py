"""Settings, read from the environment with embedded defaults; ``create_app(config)`` may override any.

Every environment variable is one ``Setting`` in ``SETTINGS``: what it sets, its default and one line for the
reference. The table in ``app/README.md`` is written from them (``python -m app.web.settings``; a test keeps the
two equal)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository (app/web/settings.py)
RATE_LIMIT = "3000 per minute"  # per client address: twice what a class of 30 sends from one address


def _dirs(value: str) -> list[str]:
    """A PATH-like list of directories (``os.pathsep``-separated), empty entries dropped."""
    return [d for d in value.split(os.pathsep) if d]


def _flag(value: str) -> bool:
    return value != "0"


@dataclass(frozen=True)
class Setting:
    """One environment variable: the app setting it fills (``key``; None: read by ``python -m app``'s server, or
    by training), its default as a string, how it is read, and what it means (a line of the reference table)."""

    variable: str
    key: str | None
    default: str
    what: str
    parse: Callable[[str], object] = str
    shown: str | None = None  # the default as the reference shows it (when ``default`` is a path of this machine)

    def read(self, env=os.environ):
        return self.parse(env.get(self.variable, self.default))


SETTINGS: tuple[Setting, ...] = (
    Setting("PORT", None, "8000", "the port the server (waitress, `python -m app`) listens on", int),
    Setting("DOODLE_HOST", None, "0.0.0.0", "the address it listens on (`0.0.0.0`: every interface)"),
    Setting("DOODLE_THREADS", None, "48", "requests handled at once (one process holds TensorFlow and the models; "
            "sampling is batched across requests; more servers: see below)", int),
    Setting("DOODLE_MAX_BUSY", "MAX_BUSY", "8", "slots for requests running a network (complete, hint, imagine, "
            "redraw, morph, classify). A body costs one slot per 32 KB begun (a child's drawing: 1)", int),
    Setting("DOODLE_BUSY_WAIT", "BUSY_WAIT", "10", "seconds a child's drawing may wait for a slot before a 503 "
            "`busy` with `Retry-After` (the page tries again by itself)", float),
    Setting("DOODLE_MAX_WAITING", "MAX_WAITING", "32", "requests that may wait for a slot (one more gets the 503 at "
            "once; a class of 30 pressing Finish together waits, none refused). Keep `DOODLE_MAX_BUSY` + "
            "`DOODLE_MAX_WAITING` under `DOODLE_THREADS`, so threads stay free for pages and `/healthz`", int),
    Setting("DOODLE_BUSY_RESERVE", "BUSY_RESERVE", "2", "slots a big body must leave free for children's drawings "
            "(it never waits; `app.web.api.BusyGate`)", int),
    Setting("DOODLE_RATE_LIMIT", "API_RATE_LIMIT", RATE_LIMIT, "complete + hint + classify per client address, over "
            "the last minute ([limits notation](https://limits.readthedocs.io/en/stable/quickstart.html"
            "#rate-limit-string-notation)); over it: 429 `too_many_requests` with `Retry-After`. A class behind one "
            "school address shares it: a class of 30 sends about 1,500 a minute; empty: no limit"),
    Setting("DOODLE_CLASSROOM_LIMIT", "CLASSROOM_RATE_LIMIT", "30 per hour", "new classrooms per client address (a "
            "school's teachers behind one address share it); over it the form says to try again later"),
    Setting("DOODLE_RATE_LIMIT_STORAGE", "RATELIMIT_STORAGE_URI", "memory://", "where the counts live (per "
            "server); e.g. `redis://host:6379` to share them between servers"),
    Setting("DOODLE_CONNECTION_LIMIT", None, "1000", "open connections; a slow or stalled client holds a "
            "connection, never a thread (the server reads every request in full first)", int),
    Setting("DOODLE_CLIENT_CONNECTIONS", None, "300", "open connections from one address (not counted for "
            "`DOODLE_TRUSTED_PROXY`); more are closed at once, so one client holding slow connections cannot take "
            "every slot", int),
    Setting("DOODLE_CLIENT_TIMEOUT", None, "30", "seconds a connection may send nothing before it is closed", int),
    Setting("DOODLE_TRUSTED_PROXY", "TRUSTED_PROXY", "", "addresses or networks of the reverse proxy (nginx), "
            "comma-separated (e.g. `172.30.0.10` or `10.0.0.0/24`): only from there do `X-Forwarded-For` (the "
            "client, for per-client limits) and `X-Forwarded-Proto` (HTTPS: Secure cookies) count; `*` is refused"),
    Setting("DOODLE_MODEL_DIRS", "MODEL_DIRS", str(ROOT / "models"), "the project's decoders (`*.npz`), "
            "`:`-separated; earlier directories win", _dirs, shown="models/"),
    Setting("DOODLE_EXTRA_MODEL_DIRS", "EXTRA_MODEL_DIRS", "", "more decoders, e.g. Google's `.gen.json` files: "
            "`DOODLE_EXTRA_MODEL_DIRS=../shared/pretrained/sketch-rnn`", _dirs),
    Setting("DOODLE_MAX_BODY_BYTES", "MAX_CONTENT_LENGTH", "1000000", "larger request bodies get a 413", int),
    Setting("DOODLE_MAX_STROKES", "MAX_STROKES", "300", "strokes in one request", int),
    Setting("DOODLE_MAX_POINTS", "MAX_POINTS", "10000", "points over all strokes in one request", int),
    Setting("DOODLE_WARMUP", "WARMUP", "1", "compile every decoder and classifier shape a request can meet at "
            "start-up, so no request waits for a compilation (`0` to skip)", _flag),
    Setting("DOODLE_JIT", "JIT", "1", "compile the sampling loop with XLA (`0`: a plain `tf.function`; for "
            "debugging)", _flag),
    Setting("DOODLE_BATCHING", "BATCHING", "1", "concurrent requests share batched sampling passes (`0`: one pass "
            "per request, in turn)", _flag),
    Setting("DOODLE_LOG_LEVEL", "LOG_LEVEL", "INFO", "log level; logs go to stdout"),
    Setting("DATABASE_URL", "DATABASE_URL", "", "the classroom store (SQLAlchemy URL), e.g. "
            "`postgresql+psycopg://user:pass@host/db` for several app servers behind a load balancer",
            shown="SQLite file `instance/doodle-buddy.sqlite3` (made on first start)"),
    Setting("DOODLE_SECRET_KEY", "SECRET_KEY", "", "signs teacher session cookies; set the same value on every app "
            "server sharing a database", shown="random, kept in `instance/secret_key`"),
    Setting("DOODLE_PUBLIC_URL", "PUBLIC_URL", "", "the address children use (e.g. `https://draw.school.example`) for "
            "the join link on the teacher's page; unset, the page shows the address the teacher's browser used "
            "(never the request's Host header)"),
    Setting("DOODLE_SHARED", None, "../shared", "(training and tests) where the Quick, Draw! data and Google's "
            "decoders are"),
)

BY_VARIABLE = {s.variable: s for s in SETTINGS}


def server_value(variable: str, env=os.environ):
    """A setting that ``python -m app``'s server reads itself (``key`` None), from ``env``."""
    return BY_VARIABLE[variable].read(env)


def from_environment(env=os.environ) -> dict:
    """The app's settings from environment variables (``SETTINGS``), and the fixed ones."""
    config = {s.key: s.read(env) for s in SETTINGS if s.key}
    config.update({
        "RATELIMIT_ENABLED": config["API_RATE_LIMIT"] != "",
        "RATELIMIT_STRATEGY": "moving-window",  # counted over the last minute, so no burst fits across a boundary
        "SESSION_COOKIE_SAMESITE": "Lax",  # teacher session cookies: signed, HttpOnly, same-site
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,  # a teacher stays signed in for a school day
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,  # a teacher page's form stays valid as long as the session
    })
    return config


def reference_table() -> str:
    """The settings as the Markdown table of ``app/README.md``."""
    rows = ["| variable | default | what |", "|---|---|---|"]
    for s in SETTINGS:
        default = s.shown or (f"`{s.default}`" if s.default else "(none)")
        rows.append(f"| `{s.variable}` | {default} | {s.what} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(reference_table(), end="")

"""The JSON API (/api): classes, complete, hint, classify, and its OpenAPI document."""

from __future__ import annotations

import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, current_app, jsonify, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from app.classrooms import DATABASE_RETRY_AFTER, ClassroomError, find_classroom, normalize_code
from app.engine import buddy, catalog
from app.engine.tuning import TUNING
from app.web import current_registry, validation
from app.web.openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api")


class LockedMemoryStorage(MemoryStorage):
    """limits' in-memory storage (``memory://``, the default) with its expiry timer started under a lock: two
    threads could both find the timer stopped and start one, and the second hit raised "threads can only be
    started once", a 500 under load (limits 5.8.0; alisaifee/limits#352). Registered for ``memory://``."""

    STORAGE_SCHEME = ["memory"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._timer_lock = threading.Lock()

    def _MemoryStorage__schedule_expiry(self) -> None:  # overrides MemoryStorage.__schedule_expiry
        with self._timer_lock:
            if not self.timer.is_alive():
                self.timer = threading.Timer(0.01, self._MemoryStorage__expire_events)
                self.timer.start()

# Per-client limits on the endpoints that run a network (RATELIMIT_* settings; the client is its address, or the
# X-Forwarded-For of a trusted proxy); over it: 429 in the API's error shape, with Retry-After.
limiter = Limiter(get_remote_address)
BUSY_RETRY_AFTER = 2  # seconds a client is asked to wait when every slot stayed busy
BUSY_MESSAGE = "Buddy is busy with other drawings; try again in a moment"
COST_BYTES = 32 * 1024  # body bytes per busy-gate slot: a child's whole drawing is a few KB, 10,000 points ~150 KB


class BusyGate:
    """Admission to the networks, so an overloaded server refuses early (503 + Retry-After; the page tries again by
    itself) instead of queueing work until every thread is stuck and nothing answers, health included.

    Work is counted in ``slots`` (a request's cost: 1 for a child's drawing, more for a very big body, ``cost``).
    A request runs when its cost fits in the free slots. A small one (cost 1) may wait up to ``wait`` seconds
    for a slot, but only while fewer than ``max_waiting`` others wait; a big one never waits, and runs only when
    ``reserve`` slots stay free for small ones after it: under a storm of huge drawings a child's Finish still gets
    in. Requests running or waiting hold at most ``slots + max_waiting`` of the server's threads; the rest answer
    pages and the health check at once."""

    def __init__(self, slots: int, wait: float, max_waiting: int = 0, reserve: int = 0):
        self.capacity, self.free = slots, slots
        self.wait, self.max_waiting, self.reserve = wait, max_waiting, min(reserve, max(slots - 1, 0))
        self.waiting = 0
        self.refused = 0  # since start: what the server could not fit (a figure for the load benchmark)
        self._changed = threading.Condition()

    def admit(self, cost: int) -> int:
        """Take the slots of a request of ``cost`` (its share of the whole gate at most); ``busy`` 503 when it
        does not fit."""
        big = cost > 1
        need = min(cost, self.capacity - self.reserve) if big else min(1, self.capacity)
        with self._changed:
            if need and self._fits(need, big):
                self.free -= need
                return need
            if need and not big and self.waiting < self.max_waiting and self.wait > 0:
                self.waiting += 1
                try:
                    fitted = self._changed.wait_for(lambda: self._fits(1, False), timeout=self.wait)
                finally:
                    self.waiting -= 1
                if fitted:
                    self.free -= 1
                    return 1
            self.refused += 1
        raise validation.ApiError(503, "busy", BUSY_MESSAGE, headers={"Retry-After": str(BUSY_RETRY_AFTER)})

    def refuses_now(self, cost: int) -> bool:
        """Whether ``admit`` would refuse a request of ``cost`` at once, as things stand: a big one that does not fit
        (it never waits). Read without the lock, so the server can refuse such a request as soon as its headers
        arrive, before reading its body; ``admit`` still decides for every request that gets through."""
        need = min(cost, self.capacity - self.reserve)
        return cost > 1 and not (need and self._fits(need, True))

    def _fits(self, need: int, big: bool) -> bool:
        return self.free - need >= (self.reserve if big else 0)

    def release(self, taken: int) -> None:
        with self._changed:
            self.free += taken
            self._changed.notify_all()

    @contextmanager
    def slot(self, cost: int = 1):
        taken = self.admit(cost)
        try:
            yield
        finally:
            self.release(taken)


def request_cost(length: int | None) -> int:
    """A request's cost in the busy gate's slots, from its body's size (known before the body is parsed): 1 for
    a child's drawing, one more for every further ``COST_BYTES``."""
    return 1 + max(0, (length or 0) - 1) // COST_BYTES


def current_busy_gate() -> BusyGate:
    """The app's gate on requests that run a network, made once by ``create_app``."""
    return current_app.extensions["doodle_busy_gate"]


def heavy(view):
    """An endpoint that runs a network: rate-limited per client (one budget over all such endpoints), and run in
    the busy gate (admitted by its body's size before that body is parsed)."""
    @wraps(view)
    def run(*args, **kwargs):
        with current_busy_gate().slot(request_cost(request.content_length)):
            return view(*args, **kwargs)
    return limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="network")(run)


def error_response(status: int, code: str, message: str):
    """The one error shape of the API: {"error": {"code", "message"}} with a 4xx/5xx status."""
    return jsonify({"error": {"code": code, "message": message}}), status


@bp.errorhandler(validation.ApiError)
def _api_error(exc: validation.ApiError):
    """Client errors raised while validating or serving."""
    response, status = error_response(exc.status, exc.code, exc.message)
    return response, status, exc.headers


def http_error_response(exc: HTTPException):
    """An HTTP error (404, 405, 413, 429 ...) in the API's error shape; a 429 says when to try again."""
    response, status = error_response(exc.code or 500, (exc.name or "error").lower().replace(" ", "_"),
                                      exc.description or exc.name)
    if isinstance(exc, RateLimitExceeded) and limiter.current_limit is not None:
        wait = math.ceil(limiter.current_limit.reset_at - time.time())
        response.headers["Retry-After"] = str(max(1, wait))
    return response, status


@bp.errorhandler(DBAPIError)
def _database_down(exc: DBAPIError):
    """The classroom database does not answer: 503, try again soon; the server keeps serving."""
    current_app.logger.error("the classroom database does not answer: %s", exc.orig or exc)
    response, status = error_response(503, "database_unavailable",
                                      "classrooms cannot be reached right now; please try again soon")
    return response, status, {"Retry-After": str(DATABASE_RETRY_AFTER)}


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    """A bug must still answer in the API's shape (and be logged), and the server keeps serving."""
    if isinstance(exc, HTTPException):
        return http_error_response(exc)
    current_app.logger.exception("unexpected error on %s", request.path)
    return error_response(500, "internal_error", "something went wrong on the server; please try again")


def _classroom_objects(code) -> set[str] | None:
    """The objects a classroom allows (None: no classroom given); 400 for a malformed code, 404 unknown."""
    if code is None:
        return None
    if not isinstance(code, str):
        raise validation.ApiError(400, "bad_classroom", "classroom must be a classroom code string")
    room = find_classroom(code)
    if room is None:
        try:
            normalize_code(code)
        except ClassroomError as exc:
            raise validation.ApiError(400, "bad_classroom", str(exc)) from None
        raise validation.ApiError(404, "unknown_classroom", "there is no classroom with that code")
    return set(room.objects)


@dataclass
class DrawingRequest:
    """The fields complete and hint share, validated."""

    data: dict  # the whole JSON body, for the fields only one endpoint reads
    decoder: object  # the chosen object's decoder
    lines: list  # the child's strokes, canvas pixels
    width: float
    height: float
    temperature: float
    seed: int | None


def _drawing_request() -> DrawingRequest:
    """Validate the fields shared by complete and hint."""
    data = validation.parse_json_object(request.content_type, request.get_data(cache=False))
    registry = current_registry()
    allowed = _classroom_objects(data.get("classroom"))
    name = validation.object_name(data, registry.decoders)
    if allowed is not None and name not in allowed:
        raise validation.ApiError(403, "class_not_in_classroom", f"this classroom does not draw {name!r}")
    width, height = validation.canvas(data)
    lines = validation.strokes(data, current_app.config["MAX_STROKES"], current_app.config["MAX_POINTS"])
    temperature = validation.number(data, "temperature", *validation.TEMPERATURE_RANGE,
                                    default=TUNING.default_temperature)
    seed = data.get("seed")
    seed = None if seed is None else validation.integer(data, "seed", 0, validation.MAX_SEED)
    return DrawingRequest(data, registry.decoders[name], lines, width, height, temperature, seed)


def _points(line) -> list:
    """A canvas polyline as JSON points rounded to 0.1 px."""
    return [[round(float(x), 1), round(float(y), 1)] for x, y in line]


def _drawing(c) -> dict:
    """One of Buddy's drawings (an ending, a redraw, a morph's frame) as JSON: its new strokes and whether the
    model ended it."""
    return {"strokes": [_points(line) for line in c.lines], "finished": c.finished}


@bp.get("/classes")
def classes():
    """The objects a child can pick, with label, icon and theme (only the classroom's, with ?classroom=CODE), and
    the themes they fall in, in the picker's tab order."""
    allowed = _classroom_objects(request.args.get("classroom"))
    objects = [o for o in current_registry().objects() if allowed is None or o["name"] in allowed]
    themes = [{k: t[k] for k in ("name", "label", "icon")} for t in catalog.themes_of(o["name"] for o in objects)]
    return jsonify({"classes": objects, "themes": themes})  # "classes": the API's name for the objects (contract)


@bp.post("/complete")
@heavy
def complete():
    """Finish the drawing (or draw it from scratch): only the new strokes, per variation."""
    r = _drawing_request()
    variations = validation.integer(r.data, "variations", 1, validation.MAX_VARIATIONS, default=1)
    registry = current_registry()
    completions, seed = buddy.complete(r.decoder, r.lines, r.width, r.height, temperature=r.temperature,
                                        variations=variations, seed=r.seed, sampler=registry.sample,
                                        classifier=registry.classifier)
    return jsonify({"class": r.decoder.name, "seed": seed, "temperature": r.temperature,
                    "completions": [_drawing(c) for c in completions]})


@bp.post("/hint")
@heavy
def hint():
    """The single next pen-down stroke, or null when the model thinks the drawing is done."""
    r = _drawing_request()
    registry = current_registry()
    stroke, seed = buddy.hint(r.decoder, r.lines, r.width, r.height, temperature=r.temperature, seed=r.seed,
                               sampler=registry.sample, classifier=registry.classifier)
    return jsonify({"class": r.decoder.name, "seed": seed, "stroke": None if stroke is None else _points(stroke)})


@bp.post("/imagine")
@heavy
def imagine():
    """"What could it become?": the same beginning finished by several objects, each named, in the child's place."""
    data = validation.parse_json_object(request.content_type, request.get_data(cache=False))
    registry = current_registry()
    allowed = _classroom_objects(data.get("classroom"))
    width, height = validation.canvas(data)
    lines = validation.strokes(data, current_app.config["MAX_STROKES"], current_app.config["MAX_POINTS"])
    if not lines:
        raise validation.ApiError(400, "empty_drawing", "draw a beginning first: imagine finishes a drawing")
    count = validation.integer(data, "count", 1, validation.MAX_VARIATIONS, default=TUNING.imagine_count)
    temperature = validation.number(data, "temperature", *validation.TEMPERATURE_RANGE,
                                    default=TUNING.default_temperature)
    seed = None if data.get("seed") is None else validation.integer(data, "seed", 0, validation.MAX_SEED)
    decoders = {n: d for n, d in registry.decoders.items() if allowed is None or n in allowed}
    endings, seed = buddy.imagine(decoders, lines, width, height, count=count, temperature=temperature, seed=seed,
                                   sampler=registry.sample, classifier=registry.classifier)
    return jsonify({"seed": seed, "temperature": temperature,
                    "endings": [{"class": name, "label": catalog.label(name), "icon": catalog.icon(name),
                                 **_drawing(c)} for name, c in endings]})


def _vae_request(verb: str) -> tuple[DrawingRequest, object]:
    """A drawing request for a sketch VAE's feature ("redraw", "morph"): 400 for an empty drawing, 404
    ``no_<verb>`` for an object without a VAE. Returns the request and the object's VAE."""
    r = _drawing_request()
    if not r.lines:
        raise validation.ApiError(400, "empty_drawing", f"draw something first: Buddy {verb}s the child's drawing")
    vae = current_registry().vaes.get(r.decoder.name)
    if vae is None:
        raise validation.ApiError(404, f"no_{verb}", f"Buddy cannot {verb} a {catalog.label(r.decoder.name)} yet")
    return r, vae


@bp.post("/redraw")
@heavy
def redraw():
    """"Buddy redraws it": the child's drawing of the chosen object drawn again by its sketch VAE, in its place."""
    r, vae = _vae_request("redraw")
    registry = current_registry()
    count = validation.integer(r.data, "count", 1, validation.MAX_VARIATIONS, default=TUNING.redraw_count)
    drawings, seed = buddy.redraw(vae, r.lines, r.width, r.height, count=count, temperature=r.temperature,
                                  seed=r.seed, sampler=registry.sample, classifier=registry.classifier)
    return jsonify({"class": r.decoder.name, "seed": seed, "temperature": r.temperature,
                    "drawings": [_drawing(d) for d in drawings]})


@bp.post("/morph")
@heavy
def morph():
    """"Morph": frames from the child's drawing to another (``to``: e.g. the child's previous drawing; without it,
    one Buddy draws), along the sketch VAE's latent space, each in place on the paper."""
    r, vae = _vae_request("morph")
    registry = current_registry()
    to = None
    if r.data.get("to") is not None:
        to = validation.strokes(r.data, current_app.config["MAX_STROKES"], current_app.config["MAX_POINTS"], "to")
        if not to:
            raise validation.ApiError(400, "empty_drawing", "'to' must be a drawing (or left out: Buddy draws one)")
    frames = validation.integer(r.data, "frames", 2, validation.MAX_FRAMES, default=TUNING.morph_frames)
    temperature = validation.number(r.data, "temperature", *validation.TEMPERATURE_RANGE,
                                    default=TUNING.morph_temperature)
    out, seed = buddy.morph(vae, r.lines, r.width, r.height, to_lines=to, decoder=r.decoder, frames=frames,
                            temperature=temperature, seed=r.seed, sampler=registry.sample,
                            classifier=registry.classifier)
    return jsonify({"class": r.decoder.name, "seed": seed, "temperature": temperature,
                    "to": "drawing" if to else "buddy",
                    "frames": [_drawing(f) for f in out]})


@bp.post("/classify")
@heavy
def classify():
    """Top-3 guesses of what is being drawn; a clear 503 when no classifier is installed, never a made-up one."""
    data = validation.parse_json_object(request.content_type, request.get_data(cache=False))
    allowed = _classroom_objects(data.get("classroom"))
    width, height = validation.canvas(data)
    lines = validation.strokes(data, current_app.config["MAX_STROKES"], current_app.config["MAX_POINTS"])
    classifier = current_registry().classifier
    if classifier is None:
        return error_response(503, "classifier_unavailable", "no classifier is installed on this server")
    guesses = classifier.classify(lines, width, height, top=3, allowed=allowed)
    return jsonify({"guesses": [{"class": name, "label": catalog.label(name), "icon": catalog.icon(name),
                                 "probability": round(p, 4)} for name, p in guesses]})


@bp.get("/openapi.json")
def openapi():
    """The API contract as an OpenAPI 3.1 document."""
    return jsonify(openapi_document(current_app.config))

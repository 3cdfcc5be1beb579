"""Validation of API requests at the boundary: every bad input becomes an ``ApiError`` with a clear message."""

from __future__ import annotations

import json
import math

import numpy as np

from app.engine.tuning import TUNING

MAX_CANVAS_SIDE = 10_000  # pixels; real screens are far below this
MAX_COORDINATE = 100_000.0  # |x|, |y| in pixels: points may leave the canvas a little, not absurdly
TEMPERATURE_RANGE = TUNING.temperature_range  # "careful" .. "wild" (the engine's table)
MAX_VARIATIONS = 9
MAX_FRAMES = 12  # morph frames in one request
MAX_SEED = 2**31 - 1


class ApiError(Exception):
    """A client error: HTTP status, a machine-readable code and a human message."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        """Keep the three parts of the error (and any headers for the answer, e.g. Retry-After)."""
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def _reject_constant(name: str):
    """json.loads hook: NaN, Infinity and -Infinity are not JSON."""
    raise ApiError(400, "bad_json", f"{name} is not allowed in JSON")


def parse_json_object(content_type: str | None, body: bytes) -> dict:
    """The request body as a JSON object, or an ApiError (415 wrong type, 400 malformed or not an object)."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise ApiError(415, "unsupported_media_type", "send the drawing as JSON (Content-Type: application/json)")
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(400, "bad_json", f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", "the body must be a JSON object")
    return data


def _is_number(value) -> bool:
    """A JSON number (not a boolean), finite. Integers are exact in Python (a 401-digit one too: ``math.isfinite``
    would overflow converting it to a float), so only floats are checked; the range checks that follow bound both."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def number(data: dict, key: str, low: float, high: float, default=None) -> float:
    """A finite number in [low, high]; ``default`` when absent (None means required)."""
    if key not in data or data[key] is None:
        if default is None:
            raise ApiError(400, "missing_field", f"'{key}' is required")
        return default
    value = data[key]
    if not _is_number(value):
        raise ApiError(400, "bad_type", f"'{key}' must be a number")
    if not low <= value <= high:
        raise ApiError(400, "out_of_range", f"'{key}' must be between {low} and {high}")
    return float(value)


def integer(data: dict, key: str, low: int, high: int, default=None) -> int:
    """An integer in [low, high]; ``default`` when absent."""
    value = data.get(key)
    if value is None:
        if default is None:
            raise ApiError(400, "missing_field", f"'{key}' is required")
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400, "bad_type", f"'{key}' must be a whole number")
    if not low <= value <= high:
        raise ApiError(400, "out_of_range", f"'{key}' must be between {low} and {high}")
    return value


def canvas(data: dict) -> tuple[float, float]:
    """The canvas size {width, height} in pixels."""
    size = data.get("canvas")
    if not isinstance(size, dict):
        raise ApiError(400, "bad_type", "'canvas' must be an object {width, height}")
    return (number(size, "width", 1, MAX_CANVAS_SIDE), number(size, "height", 1, MAX_CANVAS_SIDE))


def strokes(data: dict, max_strokes: int, max_points: int, key: str = "strokes") -> list[np.ndarray]:
    """Canvas strokes [[[x, y], ...], ...] (``data[key]``) -> list of (n, 2) arrays; empty list allowed."""
    value = data.get(key)
    if not isinstance(value, list):
        raise ApiError(400, "bad_type", f"'{key}' must be a list of strokes, each a list of [x, y] points")
    if len(value) > max_strokes:
        raise ApiError(400, "too_many_strokes", f"at most {max_strokes} strokes, please")
    total, out = 0, []
    for i, stroke in enumerate(value):
        if not isinstance(stroke, list) or not stroke:
            raise ApiError(400, "bad_stroke", f"stroke {i} must be a non-empty list of [x, y] points")
        total += len(stroke)
        if total > max_points:
            raise ApiError(400, "too_many_points", f"at most {max_points} points in all, please")
        for point in stroke:
            if not (isinstance(point, list) and len(point) == 2 and all(_is_number(v) for v in point)):
                raise ApiError(400, "bad_point", f"stroke {i}: every point must be [x, y] with finite numbers")
            if abs(point[0]) > MAX_COORDINATE or abs(point[1]) > MAX_COORDINATE:
                raise ApiError(400, "out_of_range", f"stroke {i}: a point is far outside the canvas")
        out.append(np.asarray(stroke, np.float64))
    return out


def object_name(data: dict, known) -> str:
    """The object to draw: a string naming a loaded decoder (404 otherwise)."""
    name = data.get("class")
    if not isinstance(name, str) or not name:
        raise ApiError(400, "missing_field", "'class' must name the object to draw, e.g. \"cat\"")
    if name not in known:
        raise ApiError(404, "unknown_class", f"there is no model for '{name[:50]}'")
    return name

"""The web layer: the JSON API, its validation and OpenAPI contract, the pages and the teacher's classroom pages,
and the settings read from the environment."""

from flask import current_app


def current_registry():
    """The app's model registry (``app.engine.registry.Registry``), made once by ``create_app``: the web layer's
    way to the engine (which imports no Flask)."""
    return current_app.extensions["doodle_registry"]

"""Doodle Buddy: a Flask app where children draw and sketch-rnn decoders help them finish the drawing."""

import logging
import os
import secrets

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings from the environment (overridden by ``config``), models loaded once."""
    from flask_wtf.csrf import CSRFProtect  # noqa: PLC0415

    from app import api, pages, settings, teacher  # noqa: PLC0415 - keep importing the package cheap
    from app.classrooms import ClassroomStore  # noqa: PLC0415
    from app.registry import Registry  # noqa: PLC0415

    app = Flask(__name__, instance_relative_config=True, static_folder="../static",
                template_folder="../templates")
    app.config.update(settings.from_environment())
    app.config.update(config or {})
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    registry = Registry(batching=app.config["BATCHING"]).load(app.config["MODEL_DIRS"], app.config["EXTRA_MODEL_DIRS"])
    if app.config["WARMUP"]:
        registry.warm_up()
    app.extensions["doodle_registry"] = registry
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    url = app.config["DATABASE_URL"] or f"sqlite:///{os.path.join(app.instance_path, 'doodle-buddy.sqlite3')}"
    app.extensions["doodle_classrooms"] = ClassroomStore(url)
    csrf = CSRFProtect(app)
    csrf.exempt(api.bp)  # JSON only, no cookies used: nothing to forge
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(teacher.bp)
    app.after_request(pages.security_headers)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        """HTTP errors (404, 405, 413 ...) on API paths answer in the API's JSON error shape."""
        return api.http_error_response(exc) if request.path.startswith("/api/") else exc

    @app.get("/healthz")
    def healthz():
        """Ready (200) only when the models are loaded."""
        status = 200 if registry.ready else 503
        return jsonify({"ready": registry.ready, "decoders": len(registry.decoders)}), status

    return app


def _instance_secret(instance_path: str) -> str:
    """A random secret kept in the instance folder (readable by this user only), made on first start."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    with open(path) as fh:
        return fh.read().strip()

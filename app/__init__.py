"""Doodle Buddy: a Flask app where children draw and sketch-rnn decoders help them finish the drawing.

``create_app`` builds it from three layers, each in its package: ``app.engine`` (the drawing engine, no Flask),
``app.web`` (the API and the pages) and the classroom store (``app.classrooms``). Importing ``app`` imports no
Flask, so the engine and the training pipeline load without it."""

import logging
import os
import secrets


def create_app(config: dict | None = None):
    """Build the app (a Flask app): settings from the environment (overridden by ``config``), models loaded once."""
    from flask import jsonify, render_template, request
    from flask_wtf.csrf import CSRFProtect
    from sqlalchemy.exc import DBAPIError
    from werkzeug.exceptions import HTTPException

    from app import classrooms
    from app.engine import decoder
    from app.engine.registry import Registry
    from app.web import api, classroom_pages, pages, settings
    from app.web.health import Health
    from app.web.server import DoodleBuddy, SessionInterface, TrustedProxy

    app = DoodleBuddy(__name__, instance_relative_config=True, static_folder="../static",
                template_folder="../templates")
    app.config.update(settings.from_environment())
    app.config.update(config or {})
    app.session_interface = SessionInterface()
    app.wsgi_app = TrustedProxy(app.wsgi_app, TrustedProxy.parse(app.config["TRUSTED_PROXY"]))
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    decoder.set_jit(app.config["JIT"])
    registry = Registry(batching=app.config["BATCHING"]).load(app.config["MODEL_DIRS"], app.config["EXTRA_MODEL_DIRS"])
    if app.config["WARMUP"]:
        registry.warm_up()
    app.extensions["doodle_registry"] = registry
    _writable_instance(app.instance_path)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    url = app.config["DATABASE_URL"] or _instance_database(app.instance_path)
    app.extensions["doodle_classrooms"] = store = classrooms.ClassroomStore(url)
    csrf = CSRFProtect(app)
    csrf.exempt(api.bp)  # JSON only, no cookies used: nothing to forge
    app.extensions["doodle_busy_gate"] = api.BusyGate(app.config["MAX_BUSY"], app.config["BUSY_WAIT"],
                                                      app.config["MAX_WAITING"], app.config["BUSY_RESERVE"])
    api.limiter.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(classroom_pages.bp)
    app.after_request(pages.security_headers)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        """HTTP errors (404, 405, 413 ...) on API paths answer in the API's JSON error shape."""
        return api.http_error_response(exc) if request.path.startswith("/api/") else exc

    @app.errorhandler(DBAPIError)
    def database_down(exc: DBAPIError):
        """The classroom database does not answer, on a page: 503 and try again soon (the API answers in its own
        shape, ``api._database_down``; drawing without a classroom works)."""
        app.logger.error("the classroom database does not answer: %s", exc.orig or exc)
        return render_template("not_found.html", message="Classrooms can't be reached right now. "
                               "Try again in a minute!"), 503, {"Retry-After": str(classrooms.DATABASE_RETRY_AFTER)}

    app.extensions["doodle_health"] = health = Health(registry, store)

    @app.get("/healthz")
    def healthz():
        """Ready (200) when the models are loaded and there is at least one decoder (none means the model folders
        are wrong: Buddy could draw nothing); says whether the classroom database answers."""
        status, body = health.answer()
        return jsonify(body), status

    return app


def _writable_instance(instance_path: str) -> None:
    """Make Flask's instance folder (the SQLite database, the secret key); a clear message when it cannot be."""
    try:
        os.makedirs(instance_path, exist_ok=True)
        probe = os.path.join(instance_path, ".write-test")
        with open(probe, "w"):
            pass
        os.remove(probe)
    except OSError as exc:
        raise RuntimeError(f"the instance folder {instance_path} must be writable by this user (uid {os.getuid()}) "
                           f"to keep the classroom database and the secret key: {exc.strerror}. Mount a "
                           f"writable volume there, or set DATABASE_URL and DOODLE_SECRET_KEY") from exc


def _instance_database(instance_path: str) -> str:
    """The embedded SQLite database's URL; the file is readable by this user only (made so, or made that way)."""
    path = os.path.join(instance_path, "doodle-buddy.sqlite3")
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    try:
        os.chmod(path, 0o600)  # a file made world-readable by an older version
    except PermissionError:
        pass  # not ours to change
    return f"sqlite:///{path}"


def _instance_secret(instance_path: str) -> str:
    """A random secret kept in the instance folder (readable by this user only), made on first start."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    with open(path) as fh:
        return fh.read().strip()

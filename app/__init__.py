"""Doodle Buddy: a Flask app where children draw and sketch-rnn decoders help them finish the drawing."""

import ipaddress
import logging
import os
import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, render_template, request
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import RequestRedirect

DATABASE_RETRY_AFTER = 30  # seconds a client is asked to wait when the classroom database does not answer


# The app's shared objects, made once by create_app; views reach them through these accessors.
def current_registry():
    """The app's model registry (``app.registry.Registry``)."""
    return current_app.extensions["doodle_registry"]


def current_classrooms():
    """The app's classroom store (``app.classrooms.ClassroomStore``)."""
    return current_app.extensions["doodle_classrooms"]


def find_classroom(code):
    """The classroom a code names, as anyone may type it (spaces, lower case), or None: no such classroom, or not
    a class code at all (``app.classrooms.normalize_code`` says why, for an API's 400)."""
    from app.classrooms import ClassroomError

    try:
        return current_classrooms().get(code)
    except ClassroomError:
        return None


def current_busy_gate():
    """The app's gate on requests that run a network (``app.api.BusyGate``)."""
    return current_app.extensions["doodle_busy_gate"]


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed session cookie, marked Secure whenever the request came over HTTPS (directly, or through the
    trusted proxy's X-Forwarded-Proto), so a teacher's session never travels in clear once the school has TLS."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


class TrustedProxy:
    """WSGI middleware: the client's address and scheme come from the proxy's X-Forwarded-For and X-Forwarded-Proto
    (werkzeug's ProxyFix, one proxy) only when the request comes from one of ``networks``; from anywhere else those
    headers are dropped, so a client that reaches a server directly cannot name another client."""

    HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_FORWARDED")

    def __init__(self, wsgi_app, networks: list):
        self.networks, self.plain, self.fixed = networks, wsgi_app, ProxyFix(wsgi_app, x_for=1, x_proto=1)

    @classmethod
    def parse(cls, value: str) -> list:
        """The networks of a TRUSTED_PROXY setting ("" for none); "*" is refused, since it trusts everybody."""
        networks = []
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"DOODLE_TRUSTED_PROXY must list the proxy's addresses or networks (e.g. "
                                 f"172.30.0.10 or 10.0.0.0/24), not {part!r}: anyone could name any client") from None
        return networks

    def __call__(self, environ, start_response):
        try:
            trusted = any(ipaddress.ip_address(environ.get("REMOTE_ADDR", "")) in n for n in self.networks)
        except ValueError:
            trusted = False
        if trusted:
            return self.fixed(environ, start_response)
        for key in self.HEADERS:
            environ.pop(key, None)
        return self.plain(environ, start_response)


class DoodleBuddy(Flask):
    """Flask, with the router's added-slash redirect (/teacher -> /teacher/) sent as a path on this server, never
    as an address on the host the request's Host header named."""

    def raise_routing_exception(self, request):
        exc = request.routing_exception
        if isinstance(exc, RequestRedirect):
            target = urlsplit(exc.new_url)
            exc.new_url = target.path + (f"?{target.query}" if target.query else "")
        super().raise_routing_exception(request)


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings from the environment (overridden by ``config``), models loaded once."""
    from flask_wtf.csrf import CSRFProtect

    from app import api, classroom_pages, decoder, pages, settings
    from app.classrooms import ClassroomStore
    from app.registry import Registry

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
    app.extensions["doodle_classrooms"] = store = ClassroomStore(url)
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
                               "Try again in a minute!"), 503, {"Retry-After": str(DATABASE_RETRY_AFTER)}

    @app.get("/healthz")
    def healthz():
        """Ready (200) when the models are loaded; says whether the classroom database answers."""
        status = 200 if registry.ready else 503
        return jsonify({"ready": registry.ready, "decoders": len(registry.decoders),
                        "database": store.answers()}), status

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

"""How the Flask app meets HTTP: the proxy it trusts, its session cookie, and its redirects."""

import ipaddress
from urllib.parse import urlsplit

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import RequestRedirect


def in_networks(address: str, networks: list) -> bool | None:
    """Whether an address lies in one of ``networks``; None when it is not an IP address at all."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    return any(ip in n for n in networks)


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
        if in_networks(environ.get("REMOTE_ADDR", ""), self.networks):
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

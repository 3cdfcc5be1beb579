"""Serve Doodle Buddy: ``python -m app`` (the README's start command and the Docker image's).

The server is waitress. It reads each request in full (head and body) on its event loop before a worker
thread sees it, so a slow or stalled client holds only a socket, never one of the few threads that run
requests: a school's single ``docker run`` survives half-sent requests without a buffering proxy in front
(issue 28). gunicorn's threaded worker reads the request inside the thread, and four stalled clients stopped
every endpoint. Settings (environment variables, documented in the README):

- ``PORT`` (8000), ``DOODLE_HOST`` (all interfaces);
- ``DOODLE_THREADS`` (48): requests run at once; the busy gate (``app.api.BusyGate``) lets requests that run a
  network hold at most ``DOODLE_MAX_BUSY`` + ``DOODLE_MAX_WAITING`` (8 + 32) of them and refuses the rest at once
  with a 503, so the other threads answer pages, health and classes at once; sampling is batched across the
  running ones (``app.batcher``);
- ``DOODLE_CONNECTION_LIMIT`` (1000): open connections; more wait in the listen backlog;
- ``DOODLE_CLIENT_CONNECTIONS`` (300): open connections from one address (the trusted proxy's are not counted);
  more are closed at once, so one client holding slow connections cannot take every slot (issue 49.8);
- ``DOODLE_CLIENT_TIMEOUT`` (30 s): a connection that sends nothing for this long is closed;
- ``DOODLE_TRUSTED_PROXY``: the addresses or networks of a reverse proxy (e.g. nginx) whose ``X-Forwarded-For``
  names the client, so per-client limits see children, not the proxy (``app.TrustedProxy``); empty (default)
  trusts no header.

Bodies over ``DOODLE_MAX_BODY_BYTES`` get a 413, chunked or not.
"""

from __future__ import annotations

import os


def server_settings(app_config: dict, env=os.environ) -> dict:
    """waitress's settings for this app from the environment."""
    return {
        "host": env.get("DOODLE_HOST", "0.0.0.0"),
        "port": int(env.get("PORT", "8000")),
        "threads": int(env.get("DOODLE_THREADS", "48")),
        "connection_limit": int(env.get("DOODLE_CONNECTION_LIMIT", "1000")),
        "channel_timeout": int(env.get("DOODLE_CLIENT_TIMEOUT", "30")),
        # twice the app's limit: a body between the two reaches Flask, which answers the API's JSON 413 (a chunked
        # body included: waitress gives it its length); a bigger one is refused by waitress before it is kept
        "max_request_body_size": 2 * int(app_config["MAX_CONTENT_LENGTH"]),
        "max_request_header_size": 64 * 1024,
        "ident": "doodle-buddy",
        "clear_untrusted_proxy_headers": False,  # the app decides whose proxy headers count (app.TrustedProxy)
    }


def cap_connections(server, per_client: int, exempt=()) -> None:
    """Close a new connection at once when its address already holds ``per_client`` open connections (waitress
    caps only the total); addresses in the ``exempt`` networks (the trusted proxy's) are never capped."""
    import ipaddress

    accept = server.accept

    def capped_accept():
        accepted = accept()
        if accepted is None:
            return None
        conn, addr = accepted
        host = addr[0] if isinstance(addr, tuple) else None
        try:
            exempted = host is None or any(ipaddress.ip_address(host) in n for n in exempt)
        except ValueError:
            exempted = True
        if not exempted:
            held = sum(1 for channel in list(server._map.values())  # waitress's open channels, the listener too
                       if channel is not server and isinstance(getattr(channel, "addr", None), tuple)
                       and channel.addr[0] == host)
            if held >= per_client:
                conn.close()
                return None
        return accepted

    server.accept = capped_accept


def main() -> None:
    """Load the models, then serve until stopped."""
    from waitress.server import create_server

    from app import TrustedProxy, create_app

    app = create_app()
    server = create_server(app, **server_settings(app.config))
    cap_connections(server, int(os.environ.get("DOODLE_CLIENT_CONNECTIONS", "300")),
                    TrustedProxy.parse(app.config["TRUSTED_PROXY"]))
    server.print_listen("Serving on http://{}:{}")
    server.run()


if __name__ == "__main__":
    main()

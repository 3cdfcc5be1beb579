"""Serve Doodle Buddy: ``python -m app`` (the README's start command and the Docker image's).

The server is waitress. It reads each request in full (head and body) on its event loop before a worker
thread sees it, so a slow or stalled client holds only a socket, never one of the few threads that run
requests: a school's single ``docker run`` survives half-sent requests without a buffering proxy in front
(issue 28). gunicorn's threaded worker reads the request inside the thread, and four stalled clients stopped
every endpoint. Settings (environment variables, documented in the README):

- ``PORT`` (8000), ``DOODLE_HOST`` (all interfaces);
- ``DOODLE_THREADS`` (48): requests run at once; the busy gate (``app.web.api.BusyGate``) lets requests that run a
  network hold at most ``DOODLE_MAX_BUSY`` + ``DOODLE_MAX_WAITING`` (8 + 32) of them and refuses the rest at once
  with a 503, so the other threads answer pages, health and classes at once; sampling is batched across the
  running ones (``app.engine.batcher``);
- ``DOODLE_CONNECTION_LIMIT`` (1000): open connections; more wait in the listen backlog;
- ``DOODLE_CLIENT_CONNECTIONS`` (300): open connections from one address (the trusted proxy's are not counted);
  more are closed at once, so one client holding slow connections cannot take every slot (issue 49.8);
- ``DOODLE_CLIENT_TIMEOUT`` (30 s): a connection that sends nothing for this long is closed;
- ``DOODLE_TRUSTED_PROXY``: the addresses or networks of a reverse proxy (e.g. nginx) whose ``X-Forwarded-For``
  names the client, so per-client limits see children, not the proxy (``app.TrustedProxy``); empty (default)
  trusts no header.

Bodies over ``DOODLE_MAX_BODY_BYTES`` get a 413 in the API's JSON error shape, chunked or not (``json_errors_server``:
waitress's own answers are JSON too, and an oversized body is read to its end first, so the client gets the 413).
"""

from __future__ import annotations

import os


def server_settings(app_config: dict, env=os.environ) -> dict:
    """waitress's settings for this app from the environment (``app.web.settings.SETTINGS``)."""
    from app.web.settings import server_value

    return {
        "host": server_value("DOODLE_HOST", env),
        "port": server_value("PORT", env),
        "threads": server_value("DOODLE_THREADS", env),
        "connection_limit": server_value("DOODLE_CONNECTION_LIMIT", env),
        "channel_timeout": server_value("DOODLE_CLIENT_TIMEOUT", env),
        # twice the app's limit: a body between the two reaches Flask, which answers the API's JSON 413 (a chunked
        # body included: waitress gives it its length); a bigger one is refused by waitress before it is kept
        "max_request_body_size": 2 * int(app_config["MAX_CONTENT_LENGTH"]),
        "max_request_header_size": 64 * 1024,
        # bytes read from a socket at a time: a refused or oversized body is thrown away in 8 times fewer passes of
        # the event loop than waitress's 8 KB, so the requests behind it (the health check's) wait less
        "recv_bytes": 64 * 1024,
        "ident": "doodle-buddy",
        "clear_untrusted_proxy_headers": False,  # the app decides whose proxy headers count (app.TrustedProxy)
    }


def cap_connections(server, per_client: int, exempt=()) -> None:
    """Close a new connection at once when its address already holds ``per_client`` open connections (waitress
    caps only the total); addresses in the ``exempt`` networks (the trusted proxy's) are never capped, nor a
    connection without an IP address."""
    from app.web.server import in_networks

    accept = server.accept

    def capped_accept():
        accepted = accept()
        if accepted is None:
            return None
        conn, addr = accepted
        host = addr[0] if isinstance(addr, tuple) else None
        if host is not None and in_networks(host, exempt) is False:
            held = sum(1 for channel in list(server._map.values())  # waitress's open channels, the listener too
                       if channel is not server and isinstance(getattr(channel, "addr", None), tuple)
                       and channel.addr[0] == host)
            if held >= per_client:
                conn.close()
                return None
        return accepted

    server.accept = capped_accept


DRAIN_LIMIT = 64 * 1024 * 1024  # bytes of an oversized body read and thrown away after its 413 (beyond: closed)


def json_errors_server(server, busy_gate=None, health=None):
    """waitress answers some requests itself, before the app sees them (a body over ``max_request_body_size``, a
    malformed request line): give those answers the API's JSON error shape, and after answering an oversized body
    read the rest of it (thrown away, up to ``DRAIN_LIMIT``) before closing, so a client still sending it gets the
    413 instead of a connection reset (issue 49.4).

    With the app's ``busy_gate``, a big drawing posted to the API while the gate has no room for it (it would be
    refused at once, ``BusyGate.refuses_now``) gets the gate's 503 + Retry-After as soon as its headers arrive; its
    body is read and thrown away, never buffered or parsed, so a storm of them costs the server little and
    everything else keeps answering (issue 49.3).

    With the app's ``health`` (``app.web.health.Health``, watching the database), ``GET /healthz`` is answered on
    the event loop as soon as it arrives, from what the watcher last found: never behind the requests that hold the
    worker threads, so a HEALTHCHECK or a load balancer gets its answer in milliseconds under any load."""
    import functools
    import json as json_
    import threading

    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser
    from waitress.task import ErrorTask, Task, WSGITask
    from waitress.utilities import Error, RequestEntityTooLarge

    from app.web.api import BUSY_MESSAGE, BUSY_RETRY_AFTER, request_cost
    from app.web.pages import SECURITY_HEADERS

    loop = {"thread": None}  # the event loop's thread: the one that calls a channel's received()

    def asks_health(request) -> bool:
        return health is not None and not request.error and request.command == "GET" and request.path == "/healthz"

    class Busy(Error):
        code = 503
        reason = "Service Unavailable"

    class JsonErrorTask(ErrorTask):
        def execute(self):
            e = self.request.error
            if isinstance(e, Busy):
                code, message = "busy", BUSY_MESSAGE
                self.response_headers.append(("Retry-After", str(BUSY_RETRY_AFTER)))
            elif isinstance(e, RequestEntityTooLarge):
                code, message = "request_entity_too_large", "the drawing is too big to send"
            else:
                code, message = "bad_request", f"the request could not be read: {e.body}"
            body = json_.dumps({"error": {"code": code, "message": message}}).encode()
            self.status = f"{e.code} {e.reason}"
            self.response_headers.append(("Content-Type", "application/json"))
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    class HealthTask(Task):
        """``/healthz``'s answer, written without the app (the same JSON and headers as the app's route)."""
        complete = True  # its status and headers are set here, as waitress's ErrorTask

        def execute(self):
            status, answer = health.answer()
            body = json_.dumps(answer).encode()
            self.status = "200 OK" if status == 200 else "503 Service Unavailable"
            self.response_headers.extend([("Content-Type", "application/json"), *SECURITY_HEADERS.items()])
            self.content_length = len(body)
            self.write(body)

    class Parser(HTTPRequestParser):
        """waitress's parser, which on a body over the limit also takes the rest of what arrived and tells its
        channel how much of that body is still to come."""

        def __init__(self, adj, channel=None):
            super().__init__(adj)
            self.channel = channel
            self.gate_asked = False

        def received(self, data):
            consumed = super().received(data)
            if (busy_gate is not None and self.headers_finished and not self.gate_asked and not self.completed
                    and self.channel is not None):
                self.gate_asked = True
                if (self.command == "POST" and self.path.startswith("/api/") and not self.chunked
                        and busy_gate.refuses_now(request_cost(self.content_length))):
                    still = self.body_rcv.remain if self.body_rcv is not None else 0
                    self.error, self.completed, self.body_rcv = Busy(BUSY_MESSAGE), True, None
                    if 0 < still <= DRAIN_LIMIT:
                        self.channel.linger = still
                    return len(data)  # the body's bytes: not a next request
            if (self.completed and isinstance(self.error, RequestEntityTooLarge) and self.channel is not None):
                if self.chunked:  # its length is unknown: read on until its last chunk (0 CRLF CRLF) arrives
                    self.channel.linger, self.channel.until_last_chunk = DRAIN_LIMIT, True
                    self.channel.received(data[consumed:])
                else:
                    still = self.content_length - (len(data) - consumed)
                    if 0 < still <= DRAIN_LIMIT:
                        self.channel.linger = still
                return len(data)  # the body's first bytes: not a next request
            return consumed

    class Channel(HTTPChannel):
        """A channel that, after answering a body over the limit, reads the rest of that body (thrown away) before
        it closes, as nginx's lingering close: closing with unread data would reset the connection under the
        answer."""
        error_task_class = JsonErrorTask
        linger = 0  # bytes still to read and throw away (at most) before closing
        until_last_chunk = False  # a chunked body: stop throwing away at its last chunk
        tail = b""
        answered = False  # the answer went out while the body was still being read
        inline = False  # a health request waits to be answered on the event loop, once received() has parsed

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.parser_class = functools.partial(Parser, channel=self)

        def received(self, data):
            loop["thread"] = threading.get_ident()
            received = self.receive(data)
            while self.inline:  # (answering one may queue the next pipelined health request)
                self.inline = False
                self.service()
            return received

        def service(self):
            self.task_class = HealthTask if asks_health(self.requests[0]) else WSGITask
            super().service()

        def receive(self, data):
            if self.linger:
                self.linger = max(0, self.linger - len(data))
                if self.until_last_chunk:
                    self.tail = (self.tail + data)[-5:]
                    if self.tail == b"0\r\n\r\n":
                        self.linger = 0
                if not self.linger and self.answered:
                    self.will_close = True  # else the answer, once written, closes the connection
                return True
            return super().received(data)

        def readable(self):
            return bool(self.linger) or super().readable()

        def handle_write(self):
            if self.linger and self.close_when_flushed and not self.total_outbufs_len:
                self.close_when_flushed, self.answered = False, True  # answered: close once the body has been read
                return
            super().handle_write()

    dispatch = server.add_task

    def add_task(channel):
        """A channel with a request to run: a health request that arrives on the event loop, with nothing before it
        on its connection still being written, is answered there (``Channel.inline``); the rest go to the threads."""
        if (isinstance(channel, Channel) and threading.get_ident() == loop["thread"]
                and asks_health(channel.requests[0]) and not channel.total_outbufs_len):
            channel.inline = True
        else:
            dispatch(channel)

    server.add_task = add_task
    server.channel_class = Channel
    return server


def main() -> None:
    """Load the models, then serve until stopped."""
    import gc

    from waitress.server import create_server

    from app import create_app
    from app.web.server import TrustedProxy
    from app.web.settings import server_value

    app = create_app()
    health = app.extensions["doodle_health"]
    health.watch()
    # what loading and the warm-up made lives as long as the server: a full collection no longer scans it while
    # every request waits
    gc.freeze()
    server = json_errors_server(create_server(app, **server_settings(app.config)), app.extensions["doodle_busy_gate"],
                                health)
    cap_connections(server, server_value("DOODLE_CLIENT_CONNECTIONS"),
                    TrustedProxy.parse(app.config["TRUSTED_PROXY"]))
    server.print_listen("Serving on http://{}:{}")
    server.run()


if __name__ == "__main__":
    main()

"""The real server (waitress, ``python -m app``) answers HTTP: a drawing in, new strokes out; bad input never
breaks it, and stalled clients never stop it."""

import contextlib
import json
import socket
import threading
import time
import urllib.error
import urllib.request


def http(url, body=None, content_type="application/json"):
    """(status, parsed JSON) of a GET or a POST."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def oversized(url, length):
    """Status of a POST that announces a body of ``length`` bytes (the server refuses before reading it)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.putrequest("POST", parts.path)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(length))
    conn.endheaders()
    conn.send(b"{" * 1000)
    status = conn.getresponse().status
    conn.close()
    return status


def test_the_server_serves_completions_and_survives_bad_input(live_server):
    assert http(live_server + "/healthz") == (200, {"ready": True, "decoders": 2, "database": True})
    drawing = {"class": "cat", "strokes": [[[10, 10], [100, 50], [150, 150]]], "canvas": {"width": 400, "height": 300},
               "variations": 2, "seed": 9}
    status, body = http(live_server + "/api/complete", drawing)
    assert status == 200 and len(body["completions"]) == 2
    assert http(live_server + "/api/complete", b"{oops")[0] == 400
    assert oversized(live_server + "/api/complete", 2_000_000) == 413
    assert http(live_server + "/api/complete", {**drawing, "class": "unicorn"})[0] == 404
    assert http(live_server + "/api/complete", drawing) == (status, body)  # still serving, same seed same answer


def stalled_clients(url, count):
    """``count`` connections that send half a request and then wait: half a request line, or a body shorter than
    its Content-Length (slowloris)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    halves = [b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
              b"POST /api/complete HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 500\r\n\r\n{"]
    socks = []
    for i in range(count):
        s = socket.create_connection((parts.hostname, parts.port), timeout=5)
        s.sendall(halves[i % 2])
        socks.append(s)
    return socks


def test_stalled_clients_do_not_stop_the_server(live_server):
    socks = stalled_clients(live_server, 40)  # 10x the request threads the old server had
    try:
        time.sleep(0.5)
        started = time.monotonic()
        assert http(live_server + "/healthz")[0] == 200
        assert time.monotonic() - started < 1.0
        drawing = {"class": "cat", "strokes": [[[10, 10], [100, 50]]], "canvas": {"width": 400, "height": 300}}
        assert http(live_server + "/api/complete", drawing)[0] == 200
    finally:
        for s in socks:
            s.close()


def chunked_post(url, size):
    """(status, parsed JSON or None) of a chunked POST of ``size`` bytes of JSON-ish body."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    body = (b"[" * size)
    chunks = (body[i:i + 65536] for i in range(0, size, 65536))
    try:
        conn.request("POST", parts.path, body=chunks, headers={"Content-Type": "application/json"},
                     encode_chunked=True)
        response = conn.getresponse()
        raw = response.read()
    except (ConnectionError, http.client.HTTPException):
        return None, None  # the server may close before the whole body is sent: nothing was parsed
    finally:
        conn.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, None


def test_a_chunked_body_over_the_limit_gets_a_413_not_a_parse(live_server):
    status, body = chunked_post(live_server + "/api/complete", 1_500_000)  # the limit is 1,000,000 bytes
    assert status == 413 and body["error"]["code"] == "request_entity_too_large"
    for _ in range(5):  # refused by the server itself, which reads on to the last chunk: the client gets the 413
        status, body = chunked_post(live_server + "/api/complete", 3_000_000)
        assert status == 413 and body["error"]["code"] == "request_entity_too_large"
    drawing = {"class": "cat", "strokes": [[[10, 10], [100, 50]]], "canvas": {"width": 400, "height": 300}}
    assert http(live_server + "/api/complete", drawing)[0] == 200


def test_a_body_far_over_the_limit_gets_the_apis_json_413_not_a_reset(live_server):
    """issue 49.4: a 3 MB body is over what the server itself will keep (twice the app's limit), so waitress
    answers it, not Flask: still the API's JSON error, and after the whole body has arrived, so a client that
    sends it all before reading (as Python's urllib does) gets the 413 every time instead of a connection reset."""
    body = json.dumps({"class": "cat", "strokes": [[[1, 2]] * 400_000], "canvas": {"width": 400, "height": 300}})
    assert len(body) > 3_000_000
    answers = [http(live_server + "/api/complete", body.encode()) for _ in range(10)]
    assert answers == [(413, {"error": {"code": "request_entity_too_large",
                                        "message": "the drawing is too big to send"}})] * 10
    drawing = {"class": "cat", "strokes": [[[10, 10], [100, 50]]], "canvas": {"width": 400, "height": 300}}
    assert http(live_server + "/api/complete", drawing)[0] == 200


def test_one_client_holding_every_connection_cannot_stop_the_others(model_dir, tmp_path):
    """issue 49.8: slow connections from one address (one byte now and then) fill at most that address's share of
    the server's connections; the health check and a child elsewhere are still answered at once."""
    from urllib.parse import urlsplit

    from tests.conftest import running_server

    env = {"DOODLE_MODEL_DIRS": str(model_dir), "DOODLE_EXTRA_MODEL_DIRS": "", "DOODLE_WARMUP": "0",
           "DOODLE_CONNECTION_LIMIT": "60", "DOODLE_CLIENT_CONNECTIONS": "20"}
    with running_server(env, tmp_path) as (url, _):
        parts = urlsplit(url)
        socks, refused = [], 0
        for _ in range(80):  # more than the whole server's limit, all from 127.0.0.2
            s = socket.create_connection((parts.hostname, parts.port), timeout=5, source_address=("127.0.0.2", 0))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and then nothing more
            socks.append(s)
        try:
            time.sleep(1.0)
            for s in socks:  # the server closed what was over the address's share
                s.setblocking(False)
                try:
                    refused += s.recv(1) == b""
                except BlockingIOError:
                    pass
                except ConnectionError:
                    refused += 1
            assert refused >= 80 - 20
            started = time.monotonic()
            assert http(url + "/healthz")[0] == 200
            assert time.monotonic() - started < 1.0
        finally:
            for s in socks:
                s.close()


def test_the_readmes_start_command_serves_every_shipped_model(shipped_server):
    """``python -m app`` on its embedded defaults finds the decoders and the classifier in models/ (when the
    settings moved into app/web/ they looked in app/models/, and the server came up ready with nothing to draw)."""
    from pathlib import Path

    models = Path(__file__).resolve().parents[1] / "models"
    status, health = http(shipped_server + "/healthz")
    assert status == 200 and health["decoders"] == len(list(models.glob("*.npz")))
    cat = {"class": "cat", "strokes": [[[60, 60], [100, 40], [140, 60], [140, 110], [60, 110], [60, 60]]],
           "canvas": {"width": 200, "height": 200}}
    status, ending = http(shipped_server + "/api/complete", json.dumps(cat).encode())
    assert status == 200 and ending["completions"][0]["strokes"]
    known = json.loads((models / "classifier.json").read_text())["classes"]
    status, guess = http(shipped_server + "/api/classify", json.dumps(cat).encode())
    assert status == 200 and guess["guesses"][0]["class"] in known


def test_a_server_with_no_decoders_is_not_ready(model_dir, tmp_path):
    """Model folders that hold no decoder (a wrong DOODLE_MODEL_DIRS, a volume mounted over models/) give a 503
    from /healthz, so the image's HEALTHCHECK and a load balancer see a server that cannot draw."""
    from app import create_app

    app = create_app({"MODEL_DIRS": [str(tmp_path / "nothing-here")], "EXTRA_MODEL_DIRS": [], "WARMUP": False,
                      "TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}", "SECRET_KEY": "s"})
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503 and answer.json["ready"] is False and answer.json["decoders"] == 0


@contextlib.contextmanager
def in_process_server(app, threads=4, health=None):
    """``python -m app``'s waitress server for ``app``, in this process on a free port; yields it."""
    from waitress.server import create_server

    from app.__main__ import json_errors_server, server_settings

    settings = {**server_settings(app.config, env={"DOODLE_HOST": "127.0.0.1", "PORT": "0"}), "threads": threads}
    server = json_errors_server(create_server(app, **settings), app.extensions["doodle_busy_gate"], health)
    stop = threading.Event()

    def serve():  # waitress's loop, one pass at a time, so the test can stop it before closing its sockets
        while not stop.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)

    loop = threading.Thread(target=serve, daemon=True)
    loop.start()
    try:
        yield server
    finally:
        stop.set()
        loop.join(10)
        server.task_dispatcher.shutdown()
        for channel in list(server._map.values()):
            channel.close()


def test_a_big_drawing_while_buddy_is_busy_is_refused_before_its_body_is_read(model_dir, tmp_path):
    """issue 49.3: with every slot of the busy gate taken, a big drawing gets the gate's 503 + Retry-After as
    soon as its headers arrive (here only its first kilobyte is ever sent); the rest of a body that does come is
    read and thrown away. Once a slot is free, the same drawing is served."""
    from app import create_app

    app = create_app({"MODEL_DIRS": [str(model_dir)], "EXTRA_MODEL_DIRS": [], "WARMUP": False, "TESTING": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}", "SECRET_KEY": "s",
                      "MAX_BUSY": 2, "BUSY_WAIT": 0.1})
    gate = app.extensions["doodle_busy_gate"]
    drawing = json.dumps({"class": "cat", "strokes": [[[10 + i % 300, 10 + i % 200] for i in range(6000)]],
                          "canvas": {"width": 400, "height": 300}}).encode()  # ~80 KB: a big body
    head = (f"POST /api/complete HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(drawing)}\r\n\r\n").encode()
    with in_process_server(app) as server:
        url = f"http://127.0.0.1:{server.effective_port}"
        taken = [gate.admit(1), gate.admit(1)]  # Buddy is busy: both slots run other drawings
        with socket.create_connection(("127.0.0.1", server.effective_port), timeout=10) as s:
            s.sendall(head + drawing[:1024])
            answer = b""
            while b'"code"' not in answer and (chunk := s.recv(65536)):
                answer += chunk
            answer = answer.decode()
        assert answer.startswith("HTTP/1.1 503") and "Retry-After: 2" in answer and '"code": "busy"' in answer
        assert http(url + "/api/complete", drawing)[0] == 503  # the whole body sent: read, thrown away, 503
        assert http(url + "/healthz")[0] == 200
        for t in taken:
            gate.release(t)
        assert http(url + "/api/complete", drawing)[0] == 200


def test_healthz_answers_while_every_thread_is_busy(model_dir, tmp_path):
    """issue 49.3: /healthz is answered on the server's event loop, so a HEALTHCHECK or a load balancer gets its
    answer while every worker thread runs something long (here the only thread waits in a request); two health
    requests pipelined on one connection both get theirs, in order."""
    from app import create_app

    app = create_app({"MODEL_DIRS": [str(model_dir)], "EXTRA_MODEL_DIRS": [], "WARMUP": False, "TESTING": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}", "SECRET_KEY": "s"})
    started, release = threading.Event(), threading.Event()

    def long_request():
        started.set()
        release.wait(30)
        return "done"

    app.add_url_rule("/long", view_func=long_request)
    health = app.extensions["doodle_health"]
    health.watch()
    with in_process_server(app, threads=1, health=health) as server:
        url = f"http://127.0.0.1:{server.effective_port}"
        holder = threading.Thread(target=lambda: urllib.request.urlopen(url + "/long", timeout=30).read())
        holder.start()
        try:
            assert started.wait(10)  # the one thread is taken
            with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
                assert r.status == 200 and json.load(r) == {"ready": True, "decoders": 2, "database": True}
                assert r.headers["Content-Type"] == "application/json"
                assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
            with socket.create_connection(("127.0.0.1", server.effective_port), timeout=5) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 2)
                answer = b""
                while answer.count(b"}") < 2 and (chunk := s.recv(65536)):
                    answer += chunk
            assert answer.count(b"HTTP/1.1 200 OK") == 2 and answer.count(b'"ready": true') == 2
        finally:
            release.set()
            holder.join(30)
        health.stop()


def test_healthz_says_when_the_database_stops_answering_without_waiting_for_it(model_dir, tmp_path):
    """The health watcher asks the database in the background: /healthz reports what it last found (here the
    database goes away and the next answers say so), and drawing still works."""
    from app import create_app

    app = create_app({"MODEL_DIRS": [str(model_dir)], "EXTRA_MODEL_DIRS": [], "WARMUP": False, "TESTING": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}", "SECRET_KEY": "s"})
    health, store = app.extensions["doodle_health"], app.extensions["doodle_classrooms"]
    health.watch(interval=0.05)
    try:
        with in_process_server(app, health=health) as server:
            url = f"http://127.0.0.1:{server.effective_port}"
            assert http(url + "/healthz") == (200, {"ready": True, "decoders": 2, "database": True})
            store.engine.dispose()
            (tmp_path / "c.sqlite3").unlink()
            (tmp_path / "c.sqlite3").mkdir()  # the database is gone: no file can be opened there
            deadline = time.monotonic() + 10
            while http(url + "/healthz")[1]["database"] and time.monotonic() < deadline:
                time.sleep(0.05)
            assert http(url + "/healthz") == (200, {"ready": True, "decoders": 2, "database": False})
            drawing = {"class": "cat", "strokes": [[[10, 10], [60, 40]]], "canvas": {"width": 300, "height": 300}}
            assert http(url + "/api/complete", json.dumps(drawing).encode())[0] == 200
    finally:
        health.stop()
        store.close()

"""The real gunicorn server answers HTTP: a drawing in, new strokes out; bad input never breaks it."""

import json
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


def test_gunicorn_serves_completions_and_survives_bad_input(live_server):
    assert http(live_server + "/healthz") == (200, {"ready": True, "decoders": 2})
    drawing = {"class": "cat", "strokes": [[[10, 10], [100, 50], [150, 150]]], "canvas": {"width": 400, "height": 300},
               "variations": 2, "seed": 9}
    status, body = http(live_server + "/api/complete", drawing)
    assert status == 200 and len(body["completions"]) == 2
    assert http(live_server + "/api/complete", b"{oops")[0] == 400
    assert oversized(live_server + "/api/complete", 2_000_000) == 413
    assert http(live_server + "/api/complete", {**drawing, "class": "unicorn"})[0] == 404
    assert http(live_server + "/api/complete", drawing) == (status, body)  # still serving, same seed same answer

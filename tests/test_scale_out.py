"""Several app servers behind nginx sharing one PostgreSQL database: compose.yaml's shape, run on loopback with
Debian's nginx and the repository's own nginx.conf (``.ci/run`` installs nginx and starts PostgreSQL)."""

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import empty_postgres, free_port, running_server

ROOT = Path(__file__).resolve().parents[1]
DRAWING = b'{"class": "cat", "strokes": [[[10, 10], [100, 50], [150, 150]]], "canvas": {"width": 400, "height": 300}}'


def _nginx() -> str:
    path = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(path):
        if os.environ.get("DOODLE_REQUIRE_BROWSER") == "1":  # under .ci/run every tool is required
            pytest.fail("nginx is not installed")
        pytest.skip("nginx is not installed (apt-get install nginx; .ci/run does)")
    return path


@contextmanager
def running_cluster(model_dir, tmp_path, **env_overrides):
    """nginx (the repository's nginx.conf) -> two app servers -> one PostgreSQL database: yields
    (nginx URL, [server URLs], [server processes])."""
    nginx, db = _nginx(), empty_postgres()  # new and empty: both servers start on it at once and migrate it
    env = {"DOODLE_MODEL_DIRS": str(model_dir), "DOODLE_EXTRA_MODEL_DIRS": "", "DOODLE_WARMUP": "0",
           "DATABASE_URL": db, "DOODLE_SECRET_KEY": "shared-secret", "DOODLE_TRUSTED_PROXY": "127.0.0.1",
           **env_overrides}
    with running_server(env, tmp_path) as (url_a, proc_a), running_server(env, tmp_path) as (url_b, proc_b):
        port = free_port()
        conf = (ROOT / "nginx.conf").read_text()
        conf = conf.replace("server app1:8000", f"server {url_a[7:]}")
        conf = conf.replace("server app2:8000", f"server {url_b[7:]}")
        conf = conf.replace("listen 8000;", f"listen 127.0.0.1:{port};")
        assert f"listen 127.0.0.1:{port};" in conf and url_a[7:] in conf and url_b[7:] in conf
        (tmp_path / "nginx").mkdir()
        (tmp_path / "nginx" / "nginx.conf").write_text(conf)
        proxy = subprocess.Popen([nginx, "-p", str(tmp_path / "nginx"), "-c", "nginx.conf",
                                  "-g", f"daemon off; pid {tmp_path / 'nginx' / 'nginx.pid'};"])
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=2).close()
                    break
                except OSError:
                    if proxy.poll() is not None or time.monotonic() > deadline:
                        pytest.fail("nginx did not start")
                    time.sleep(0.2)
            yield url, [url_a, url_b], [proc_a, proc_b]
        finally:
            proxy.terminate()
            proxy.wait(timeout=10)


@pytest.fixture
def cluster(model_dir, tmp_path):
    """The compose shape on loopback (``running_cluster``)."""
    with running_cluster(model_dir, tmp_path) as servers:
        yield servers


def _browser():
    jar = http.cookiejar.CookieJar()
    return jar, urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _open(opener, url, form=None):
    """(status, location, body) of a GET, or a form POST."""
    data = None if form is None else urllib.parse.urlencode(form, doseq=True).encode()
    try:
        with opener.open(url, data=data, timeout=30) as r:
            return r.status, r.headers.get("Location"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location"), e.read().decode()


def _move_cookies(jar, to_url):
    """The teacher's cookies, sent to another server (as they would be behind one proxy address)."""
    host = urllib.parse.urlsplit(to_url).hostname
    for cookie in list(jar):
        cookie.domain = host


def test_a_classroom_and_a_teacher_session_made_on_one_server_work_on_the_other(cluster):
    _, (a, b), _ = cluster
    jar, teacher = _browser()
    _, _, page = _open(teacher, a + "/teacher/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    status, location, _ = _open(teacher, a + "/teacher/classrooms",
                                {"csrf_token": token, "name": "Room 4", "objects": ["cat"], "pin": "2468"})
    assert status == 303
    code = location.rstrip("/").split("/")[-1].split("?")[0]
    # a child on server B sees the classroom
    with urllib.request.urlopen(f"{b}/api/classes?classroom={code}", timeout=30) as r:
        assert b'"cat"' in r.read()
    # the teacher's session cookie from A opens the classroom's page on B
    _move_cookies(jar, b)
    status, _, page = _open(teacher, f"{b}/teacher/c/{code}")
    assert status == 200 and code in page


def test_killing_one_app_server_under_load_loses_no_request(cluster):
    url, _, (proc_a, _) = cluster
    results, stop = [], threading.Event()

    def client():
        while not stop.is_set():
            request = urllib.request.Request(url + "/api/complete", data=DRAWING,
                                             headers={"Content-Type": "application/json"})
            try:  # a generous limit: on a busy 2-core machine a request may queue behind the others
                with urllib.request.urlopen(request, timeout=120) as r:
                    results.append(r.status)
            except urllib.error.HTTPError as e:
                results.append(e.code)
            except OSError as e:
                results.append(repr(e))

    def wait_for(count, seconds=120):
        deadline = time.monotonic() + seconds
        while len(results) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    wait_for(20)  # both servers answering (the first requests compile the models' shapes)
    before = len(results)
    proc_a.send_signal(signal.SIGKILL)  # one server dies mid-load, with requests in flight
    wait_for(before + 30)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert before >= 20 and len(results) >= before + 30
    failed = [r for r in results if r != 200]
    assert not failed, f"{len(failed)} of {len(results)} requests failed: {failed[:5]}"


def test_a_busy_answer_from_both_servers_is_passed_on_and_marks_neither_dead(model_dir, tmp_path):
    """issue 49.2: a 503 (busy, or the classroom database down) is the app's answer, not a dead server. Both servers
    answering 503 must not make nginx take them out for fail_timeout: the next request, drawing or health, is
    answered at once. (Both servers here have no slot for a network: every drawing gets 503 busy.)"""
    with running_cluster(model_dir, tmp_path, DOODLE_MAX_BUSY="0", DOODLE_BUSY_WAIT="0") as (url, _, _):
        for _ in range(4):
            request = urllib.request.Request(url + "/api/complete", data=DRAWING,
                                             headers={"Content-Type": "application/json"})
            with pytest.raises(urllib.error.HTTPError) as busy:
                urllib.request.urlopen(request, timeout=30)
            assert busy.value.code == 503 and busy.value.headers["Retry-After"]  # the page waits and tries again
            assert b'"busy"' in busy.value.read()
        for path in ("/healthz", "/api/classes", "/"):
            with urllib.request.urlopen(url + path, timeout=30) as r:
                assert r.status == 200, path


def test_compose_trusts_the_proxy_headers_of_nginx_alone():
    """issue 49.5: the app servers trust X-Forwarded-For from nginx's own fixed address, never from everybody."""
    from app.web.server import TrustedProxy

    compose = (ROOT / "compose.yaml").read_text()
    trusted = re.search(r"DOODLE_TRUSTED_PROXY: ([^\s#]+)", compose).group(1)
    nginx = re.search(r"nginx:\n(?:    .*\n)*?      doodle: \{ipv4_address: ([\d.]+)\}", compose).group(1)
    assert trusted == nginx and [str(n) for n in TrustedProxy.parse(trusted)] == [f"{nginx}/32"]

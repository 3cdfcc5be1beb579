"""The reference is written from the code: every environment variable the server reads is declared once
(``app.web.settings.SETTINGS``) and ``app/README.md``'s settings table is the one written from them; its API list is
the one written from the OpenAPI document the server serves."""

import re
from pathlib import Path

from app.web.settings import BY_VARIABLE, from_environment, reference_table

ROOT = Path(__file__).resolve().parents[1]


def test_the_readmes_settings_table_is_written_from_the_settings():
    assert reference_table() in (ROOT / "app" / "README.md").read_text(), (
        "app/README.md's settings table is out of date: paste `python -m app.web.settings` into it")


def test_every_environment_variable_the_code_reads_is_a_declared_setting():
    sources = [*(ROOT / "app").rglob("*.py"), ROOT / "training" / "paths.py"]
    named = {m for path in sources for m in re.findall(r"[\"'](DOODLE_[A-Z_]+|PORT|DATABASE_URL)[\"']",
                                                       path.read_text())}
    assert named and named <= set(BY_VARIABLE), named - set(BY_VARIABLE)


def test_a_variable_sets_its_setting_and_unset_ones_keep_their_defaults():
    from app.__main__ import server_settings

    config = from_environment({"DOODLE_MAX_BUSY": "3", "DOODLE_RATE_LIMIT": "", "DOODLE_WARMUP": "0",
                               "DOODLE_MODEL_DIRS": "/a:/b:"})
    assert config["MAX_BUSY"] == 3 and config["RATELIMIT_ENABLED"] is False and config["WARMUP"] is False
    assert config["MODEL_DIRS"] == ["/a", "/b"] and config["MAX_WAITING"] == 32 and config["BUSY_WAIT"] == 10.0
    assert from_environment({})["RATELIMIT_ENABLED"] is True
    waitress = server_settings(config, env={"PORT": "9001"})
    assert waitress["port"] == 9001 and waitress["threads"] == 48 and waitress["host"] == "0.0.0.0"


def test_the_readmes_api_list_is_written_from_the_openapi_document_the_server_serves(client):
    import json

    from app.web.openapi import api_reference, openapi_document

    document = openapi_document(client.application.config)
    assert client.get("/api/openapi.json").json == json.loads(json.dumps(document))
    assert api_reference(document) in (ROOT / "app" / "README.md").read_text(), (
        "app/README.md's API list is out of date: paste `python -m app.web.openapi` into it")

"""Credentials in a feed's address never reach Prefect or the outputs: a real ``paperkg run``
(its own process, environment and Prefect home) over a loopback redirect to another origin."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path

from pipeline.ingest.fetch import CREDENTIALS_ENV
from tests.support.cli import PAPERKG
from tests.support.feed_server import authorizations, serve
from tests.support.samples import ATOM_FEED

FEED = {"/feed.atom": ("application/atom+xml", ATOM_FEED.encode())}


def test_prefect_and_the_outputs_never_see_the_credentials(tmp_path: Path) -> None:
    secret = "SECRETx7Qp"
    token = base64.b64encode(f"reader:{secret}".encode())
    home, out = tmp_path / "prefect", tmp_path / "out"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PREFECT_") and k != CREDENTIALS_ENV}
    env |= {"PREFECT_HOME": str(home), "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "COLUMNS": "400"}
    with serve(FEED) as b, serve({}, redirects={"/feed.atom": b.url("/feed.atom")}) as a:
        url = a.url("/feed.atom", userinfo=f"reader:{secret}")
        result = subprocess.run([*PAPERKG, "run", url, "--out", str(out), "--no-map"],
                                capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert authorizations(a.requests) == [f"Basic {token.decode()}"]
    assert authorizations(b.requests) == [None]
    note = (f"{a.url('/feed.atom')} redirected to {b.url('/feed.atom')} (another origin): "
            "credentials not sent")
    assert f"note {note}" in result.stderr
    assert json.loads((out / "summary.json").read_text())["notes"] == [note]
    assert secret not in result.stdout + result.stderr
    files = [p for folder in (home, out, tmp_path / "cache") for p in folder.rglob("*")
             if p.is_file()]
    # the scan covers where Prefect keeps the flow run's parameters: the clean address is there
    clean = a.url("/feed.atom").encode()
    assert any(clean in p.read_bytes() for p in files if ".db" in p.name)
    for path in files:
        data = path.read_bytes()
        assert secret.encode() not in data and token not in data, path

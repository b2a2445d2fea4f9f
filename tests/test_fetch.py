"""The fetch path against a local stand-in for SSB's PxWebApi on 127.0.0.1 (no real network)."""

from __future__ import annotations

import hashlib
import http.server
import json
import socket
import threading
from contextlib import contextmanager

import pytest

from analysis.official.fetch import (
    FetchError,
    ensure_table,
    fetch_table,
    host_reachable,
    pxweb_query,
    sidecar,
)
from analysis.official.jsonstat import read_jsonstat

BODY = {
    "version": "2.0",
    "class": "dataset",
    "label": "12012 stand-in",
    "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
    "size": [1, 2, 1],
    "dimension": {
        "KOKkommuneregion0000": {"category": {"index": ["0301"]}},
        "ContentsCode": {"category": {"index": ["New", "Rej"]}},
        "Tid": {"category": {"index": ["2020"]}},
    },
    "value": [200, None],
    "status": {"1": ":"},
}


@contextmanager
def stand_in(body: bytes, status: int = 200):
    """A one-thread HTTP server on a free loopback port; records the POSTed queries."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            n = int(self.headers.get("Content-Length", 0))
            seen.append(
                {
                    "path": self.path,
                    "body": json.loads(self.rfile.read(n)),
                    "ctype": self.headers.get("Content-Type"),
                }
            )
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/api/v0/no/table/12012/", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fetch_stores_raw_body_with_dated_sidecar(tmp_path):
    raw = json.dumps(BODY, ensure_ascii=False).encode("utf-8")
    query = pxweb_query(["New", "Rej"], [2020])
    dest = tmp_path / "raw" / "kostra" / "12012.json"
    with stand_in(raw) as (url, seen):
        meta = fetch_table(url, query, dest, timeout=5)
    assert dest.read_bytes() == raw  # byte for byte
    assert meta["sha256"] == hashlib.sha256(raw).hexdigest() and meta["bytes"] == len(raw)
    side = json.loads(sidecar(dest).read_text(encoding="utf-8"))
    assert side == meta and side["retrieved_utc"].endswith("Z") and side["query"] == query
    assert seen == [{"path": "/api/v0/no/table/12012/", "body": query, "ctype": "application/json"}]
    assert query["response"] == {"format": "json-stat2"}
    assert query["query"][0] == {
        "code": "KOKkommuneregion0000",
        "selection": {"filter": "all", "values": ["*"]},
    }
    assert read_jsonstat(dest).to_frame()["status"].tolist() == ["", ":"]


def test_existing_table_is_never_fetched_again(tmp_path):
    raw = json.dumps(BODY).encode("utf-8")
    dest = tmp_path / "12012.json"
    with stand_in(raw) as (url, seen):
        _, fetched1 = ensure_table(url, pxweb_query(["New", "Rej"]), dest, timeout=5)
        before = dest.read_bytes(), sidecar(dest).read_bytes()
        _, fetched2 = ensure_table(url, pxweb_query(["New", "Rej"]), dest, timeout=5)
    assert (fetched1, fetched2) == (True, False) and len(seen) == 1
    assert (dest.read_bytes(), sidecar(dest).read_bytes()) == before


def test_http_error_and_non_jsonstat_body(tmp_path):
    with stand_in(b'{"error": "bad query"}', status=400) as (url, _):
        with pytest.raises(FetchError, match="HTTP 400"):
            fetch_table(url, pxweb_query(["X"]), tmp_path / "a.json", timeout=5)
    with stand_in(b"<html>maintenance</html>") as (url, _):
        with pytest.raises(FetchError, match="not a JSON-stat2 dataset"):
            fetch_table(url, pxweb_query(["X"]), tmp_path / "a.json", timeout=5)
    assert not (tmp_path / "a.json").exists()


def test_no_network_is_a_clear_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/api/v0/no/table/12012/"  # nobody listens
    assert not host_reachable(url, timeout=1)
    with pytest.raises(FetchError, match="no connection"):
        fetch_table(url, pxweb_query(["X"]), tmp_path / "a.json", timeout=2)
    assert not (tmp_path / "a.json").exists()


def _choose(**kw):
    from analysis.official.fetch import choose_source

    base = dict(
        fetch=True,
        raw_path="data/raw/kostra/12012.json",
        raw_exists=False,
        reachable=lambda: True,
        configured=None,
        configured_exists=False,
        url="https://x/",
    )
    return choose_source(**{**base, **kw})


def test_choose_source_decides_once_and_explains_offline():
    def never():
        raise AssertionError("the network must not be probed when nothing is to be fetched")

    assert _choose(fetch=False, configured="k.json", reachable=never)["path"] == "k.json"
    got = _choose(raw_exists=True, reachable=never)
    assert got["role"] == "downloaded" and not got["fetch_rule"]  # never fetched again
    assert _choose()["fetch_rule"] is True
    off = _choose(reachable=lambda: False, configured="mine.json", configured_exists=True)
    assert off["path"] == "mine.json" and "cannot be reached" in off["note"]
    with pytest.raises(FetchError, match="no data/raw/kostra/12012.json has been downloaded before"):
        _choose(reachable=lambda: False)
    with pytest.raises(FetchError, match="does not exist"):
        _choose(reachable=lambda: False, configured="gone.json")

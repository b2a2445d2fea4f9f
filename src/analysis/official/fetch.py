"""Download an SSB statbank table once through PxWebApi v0 and keep the raw response.

The POST body is a PxWebApi v0 query (``{"query": [...], "response": {"format": "json-stat2"}}``,
as in ``../shared/data/ssb_format_examples/pxweb_v0_07221_query.json``). The response body is
stored byte for byte; a sidecar ``<file>.meta.json`` records the URL, the query, the retrieval
time (UTC), the byte count and the SHA-256. Only the sidecar carries the date, and no rule reads
the sidecar, so the download date never changes the bytes of anything downstream.

A table that is already on disk is never fetched again (:func:`ensure_table`); the Snakemake
rule that calls :func:`fetch_table` exists only while the file is absent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

USER_AGENT = "nibr-2021-18-reproduction (python urllib)"


class FetchError(RuntimeError):
    """The table could not be downloaded (no network, HTTP error, or not JSON-stat)."""


def pxweb_query(
    content_codes: list[str],
    years: list[str] | None = None,
    region_dim: str = "KOKkommuneregion0000",
    regions: list[str] | None = None,
) -> dict:
    """A PxWebApi v0 query: every region (or the listed ones), the given contents and years."""
    region_sel = (
        {"filter": "item", "values": list(regions)} if regions else {"filter": "all", "values": ["*"]}
    )
    query = [
        {"code": region_dim, "selection": region_sel},
        {"code": "ContentsCode", "selection": {"filter": "item", "values": list(content_codes)}},
    ]
    if years:
        query.append({"code": "Tid", "selection": {"filter": "item", "values": [str(y) for y in years]}})
    return {"query": query, "response": {"format": "json-stat2"}}


def host_reachable(url: str, timeout: float = 3.0) -> bool:
    """Whether the URL's host resolves and accepts a TCP connection (a quick offline check)."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


def fetch_table(
    url: str, query: dict, dest: str | Path, timeout: float = 60.0, now: dt.datetime | None = None
) -> dict:
    """POST ``query`` to ``url``, check the body is JSON-stat2, write it and its sidecar.

    Returns the sidecar metadata. Raises :class:`FetchError` with a readable reason otherwise;
    nothing is written then.
    """
    dest = Path(dest)
    body = json.dumps(query).encode("utf-8")
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json", "User-Agent": USER_AGENT},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as e:
        detail = e.read()[:300].decode("utf-8", "replace") if e.fp else ""
        raise FetchError(f"{url}: HTTP {e.code} {e.reason}: {detail}".strip()) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise FetchError(f"{url}: no connection ({reason}); is the network available?") from None
    try:
        from analysis.official.jsonstat import parse  # lazy: this module is imported when the DAG is parsed

        parse(json.loads(raw.decode("utf-8")), url)
    except Exception as e:  # noqa: BLE001 - anything here means "not a JSON-stat2 table"
        raise FetchError(f"{url}: the response is not a JSON-stat2 dataset ({e})") from None
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    meta = {
        "url": url,
        "method": "POST",
        "query": query,
        "http_status": status,
        "retrieved_utc": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "bytes": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "file": dest.name,
    }
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".part")
    tmp.write_bytes(raw)
    tmp.replace(dest)
    sidecar(dest).write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta


def sidecar(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".meta.json")


def ensure_table(url: str, query: dict, dest: str | Path, timeout: float = 60.0) -> tuple[dict, bool]:
    """Return (metadata, fetched): fetch only when ``dest`` does not exist yet."""
    dest = Path(dest)
    if dest.exists():
        sc = sidecar(dest)
        meta = json.loads(sc.read_text(encoding="utf-8")) if sc.exists() else {"file": dest.name}
        return meta, False
    return fetch_table(url, query, dest, timeout=timeout), True


def choose_source(
    *,
    fetch: bool,
    raw_path: str,
    raw_exists: bool,
    reachable,
    configured: str | None,
    configured_exists: bool,
    url: str,
) -> dict:
    """Where the pipeline reads a fetched table from, decided when the workflow is parsed.

    Returns ``{"path", "role", "fetch_rule", "note"}``: the raw file once downloaded (no rule, so
    it is never fetched again); the raw file plus the download rule when the host answers; the
    configured file with a note when it does not; raises :class:`FetchError` when there is
    nothing to read. ``reachable`` is called only when a download is actually needed.
    """
    if not fetch:
        return {"path": configured, "role": "configured", "fetch_rule": False, "note": ""}
    if raw_exists:
        return {"path": raw_path, "role": "downloaded", "fetch_rule": False, "note": ""}
    if reachable():
        return {"path": raw_path, "role": "downloaded", "fetch_rule": True, "note": ""}
    if configured and configured_exists:
        return {
            "path": configured,
            "role": "configured",
            "fetch_rule": False,
            "note": f"kostra.fetch: true, but {url} cannot be reached (no network?): using the "
            f"configured file inputs.kostra_12012 = {configured} instead.",
        }
    if configured:
        raise FetchError(
            f"kostra.fetch: true, but {url} cannot be reached (no network?) and "
            f"inputs.kostra_12012 ({configured}) does not exist."
        )
    raise FetchError(
        f"kostra.fetch: true, but {url} cannot be reached (no network?) and no "
        f"{raw_path} has been downloaded before. Set inputs.kostra_12012 to a saved "
        f"json-stat2 response of table 12012, or set kostra.fetch: false."
    )

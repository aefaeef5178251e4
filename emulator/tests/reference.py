"""Helpers to compare azemu with Azure's own material in ../shared/azure-reference (recordings
of real traffic, REST specs and their examples). Later resource types reuse these.

The folder is `<repo root>/../shared/azure-reference`, or `$AZURE_REFERENCE_DIR`
(`azemu_specs.location`, which the spec check uses too); when it is absent every test using
`reference_dir()` is skipped, saying so. Nothing is copied from it.

Recordings come in two formats, read into the same `Exchange`s: the Azure SDK test proxy's
JSON (`Entries[]`) and the Azure CLI's vcrpy cassettes (YAML `interactions[]`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from azemu_specs.location import absent, reference_dir as find_reference

LRO_HEADERS = ("Azure-AsyncOperation", "Location", "Retry-After", "ETag", "Content-Type")
GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def reference_dir() -> Path:
    path = find_reference("recordings")
    if path is None:
        pytest.skip(absent("recordings"))
    return path


@dataclass
class Exchange:
    """One recorded request/response pair."""
    method: str
    uri: str
    status: int
    request_headers: dict[str, Any]
    response_headers: dict[str, Any]
    request_body: Any
    response_body: Any

    @property
    def path(self) -> str:
        return urlsplit(self.uri).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.uri).query)

    def header(self, name: str) -> Any:
        return next((v for k, v in self.response_headers.items() if k.lower() == name.lower()), None)


def recording(name_part: str) -> list[Exchange]:
    """The exchanges of the one SDK recording whose file name contains `name_part`."""
    files = [p for p in (reference_dir() / "recordings").rglob("*.json") if name_part in p.name]
    assert len(files) == 1, f"{name_part!r} matches {files}"
    return load_recording(files[0])


def recordings() -> list[Path]:
    """Every recording: the SDK's (JSON) and the Azure CLI's (YAML), by path."""
    root = reference_dir() / "recordings"
    return sorted([*root.rglob("*.json"), *root.rglob("*.yaml")])


def load_recording(path: Path) -> list[Exchange]:
    if path.suffix == ".json":
        return [Exchange(e["RequestMethod"], e["RequestUri"], e["StatusCode"], e.get("RequestHeaders", {}),
                         e.get("ResponseHeaders", {}), e.get("RequestBody"), e.get("ResponseBody"))
                for e in json.loads(path.read_text())["Entries"]]
    return [Exchange(i["request"]["method"], i["request"]["uri"], i["response"]["status"]["code"],
                     _single(i["request"].get("headers")), _single(i["response"].get("headers")),
                     _parsed(i["request"].get("body")), _parsed((i["response"].get("body") or {}).get("string")))
            for i in yaml.safe_load(path.read_text())["interactions"]]


def _single(headers: dict[str, Any] | None) -> dict[str, Any]:
    """vcrpy keeps every header as a list of values; ARM sends each once."""
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in (headers or {}).items()}


def _parsed(text: Any) -> Any:
    if not isinstance(text, str) or not text.strip():
        return text or None
    try:
        return json.loads(text)
    except ValueError:
        return text


def find(exchanges: list[Exchange], method: str | None = None, path_re: str | None = None,
         status: int | None = None) -> list[Exchange]:
    return [e for e in exchanges
            if (method is None or e.method == method)
            and (path_re is None or re.search(path_re, e.path, re.I))
            and (status is None or e.status == status)]


def spec_file(relative: str) -> Any:
    """A spec or example file, e.g. "specs/network/2024-05-01/network.json"."""
    return json.loads((reference_dir() / relative).read_text())


def shape(value: Any) -> Any:
    """The JSON shape of a value: same structure, leaves replaced by their type name."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def assert_covers(ours: Any, recorded: Any, where: str = "$", ignore: tuple[str, ...] = ()) -> None:
    """Everything the recording has, ours has too, with the same kind of value (extra keys in
    ours are allowed; list items compare by their first element)."""
    if isinstance(recorded, dict):
        assert isinstance(ours, dict), f"{where}: expected an object, got {ours!r}"
        for key, value in recorded.items():
            if key in ignore:
                continue
            assert key in ours, f"{where}: missing '{key}' (recorded: {value!r})"
            assert_covers(ours[key], value, f"{where}.{key}", ignore)
    elif isinstance(recorded, list):
        assert isinstance(ours, list), f"{where}: expected an array, got {ours!r}"
        if recorded and ours:
            assert_covers(ours[0], recorded[0], f"{where}[0]", ignore)
    elif recorded is not None:
        assert type(ours) is type(recorded) or {type(ours), type(recorded)} <= {int, float}, \
            f"{where}: {type(ours).__name__} vs recorded {type(recorded).__name__}"


def header_set(headers: Any, names: tuple[str, ...] = LRO_HEADERS) -> set[str]:
    """Which of `names` are present (case-insensitive), for recorded dicts and live responses."""
    if hasattr(headers, "get") and not isinstance(headers, dict):
        return {n for n in names if headers.get(n) is not None}
    lower = {k.lower() for k in headers}
    return {n for n in names if n.lower() in lower}


def url_template(url: str) -> str:
    """An operation or resource URL with host, ids, names, namespace, location and query
    values abstracted, so Azure's and azemu's URLs compare by structure."""
    parts = urlsplit(url)
    path = re.sub(GUID, "{guid}", parts.path)
    path = re.sub(r"/providers/[^/]+/locations/[^/]+/", "/providers/{ns}/locations/{loc}/", path, flags=re.I)
    keys = sorted(k for k in parse_qs(parts.query) if k in ("api-version", "monitor"))
    return path + ("?" + "&".join(keys) if keys else "")


def cli_recording(name: str) -> list[Exchange]:
    """The exchanges of one of the Azure CLI's own test recordings (VCR YAML under
    recordings/azure-cli/, e.g. "test_network_lb"): bodies parsed when JSON, header values unlisted."""
    import yaml
    files = list((reference_dir() / "recordings" / "azure-cli").rglob(f"{name}.yaml"))
    assert len(files) == 1, f"{name!r} matches {files}"
    out = []
    for item in yaml.safe_load(files[0].read_text())["interactions"]:
        req, resp = item["request"], item["response"]
        out.append(Exchange(req["method"], req["uri"], resp["status"]["code"], _unlist(req.get("headers")),
                            _unlist(resp.get("headers")), _json_or_text(req.get("body")),
                            _json_or_text((resp.get("body") or {}).get("string"))))
    return out


def _unlist(headers: dict | None) -> dict[str, Any]:
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in (headers or {}).items()}


def _json_or_text(text: Any) -> Any:
    if not isinstance(text, str) or not text:
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text

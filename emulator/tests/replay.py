"""Replay a recording of real Azure traffic against a fresh azemu, and compare answer by answer.

What is sent: each recorded request in order, addressed to the host it was recorded for
(`Host: management.azure.com`, or the alias document's host), as a client reaches azemu through
its proxy, so azemu answers as public Azure, URLs and metadata included; the recording's
subscription id replaced by azemu's, a bearer token of azemu's for public ARM, the body as
recorded. The recording's
resource groups are created first, in their recorded location (the recorders create them
outside the recording); a fresh azemu has no other, so their names stay as recorded.

Polling: when a recorded answer carries `Azure-AsyncOperation` or `Location`, the recorded URL
is mapped to the one azemu answered, and a recorded run of polls of that URL becomes one poll
of azemu's URL repeated until it is done (its `latency` 0 finishes at the first poll); the
answer is compared with the recorded last poll. Recorded etags map to azemu's the same way,
for `If-Match`, and so do names the server made (`vm1_OsDisk_1_<32 hex>`): where a recorded
answer and azemu's have such a name at the same place, differing only in the hex part, later
request bodies and recorded answers use azemu's. The Azure CLI's recorder names every deployment `mock-deployment` in request
URLs but not in the URLs Azure answered (README of the reference), so operation URLs are
keyed with that name too.

What is compared, per interaction:
- the status code, exactly; 200 and 201 of a PUT are equivalent where the spec operation
  documents both (an existing vs a new resource), and the equivalence is counted;
- `Azure-AsyncOperation`, `Location`, `ETag`: present in one answer iff in the other, with the
  same shape (URL structure, etag form); `Retry-After`: present where Azure sent it (azemu
  always sends it; the Azure CLI's recorder drops it, see `CLI_DROPPED_HEADERS`);
  `Content-Type` where the recorded answer has a body;
- the body: every key path of the recorded body exists in azemu's, recursively (list items
  matched by `name`, else by position); values are compared for enums (from the spec),
  `provisioningState`, an operation's `status`, numbers and booleans, and not for ids, etags,
  times, guids and other server-made strings. A recorded transient `provisioningState`
  (`Creating`, `Updating`, ...) where azemu answers `Succeeded` matches: azemu runs with latency 0,
  so its operations are done before Azure's were.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from azemu_specs import session

from reference import Exchange

RECORDED_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
# azure-cli's ReplayableTest.FILTER_HEADERS (azure-cli-testsdk scenario_tests/base.py) removes
# these from every recorded answer, so their absence there says nothing about Azure.
CLI_DROPPED_HEADERS = {"retry-after"}
COMPARED_HEADERS = ("Azure-AsyncOperation", "Location", "ETag", "Retry-After")
# Values made by the server for one resource: compared for presence only.
SERVER_VALUES = {"id", "etag", "resourceGuid", "vmId", "timeCreated", "timestamp", "createdTime", "changedTime",
                 "startTime", "endTime", "time", "correlationId", "duration", "templateHash", "ipAddress",
                 "uniqueId", "principalId", "tenantId", "fqdn", "macAddress"}
PUBLIC_ARM = "management.azure.com"
GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
HEX_PART = re.compile(r"[0-9a-f]{32}")
TRANSIENT = {"Creating", "Updating", "Deleting", "Accepted", "Running"}


@dataclass
class Outcome:
    index: int                  # the interaction's position in the recording (first of a poll run)
    method: str
    path: str                   # as recorded, without the query
    recorded: int               # recorded status
    status: int | None          # azemu's
    problems: list[str] = field(default_factory=list)
    polls: int = 1              # recorded interactions this one stands for
    equivalent: bool = False    # 200 vs 201 of a PUT, both documented

    def __str__(self) -> str:
        where = f"#{self.index}{f'-{self.index + self.polls - 1}' if self.polls > 1 else ''}"
        return f"{where} {self.method} {self.path} -> {self.status} (Azure {self.recorded}): " + "; ".join(self.problems)


@dataclass
class Result:
    name: str
    interactions: int
    outcomes: list[Outcome]
    skipped: list[int]          # identity exchanges (compared in test_reference.py)

    @property
    def mismatched(self) -> dict[int, Outcome]:
        return {o.index: o for o in self.outcomes if o.problems}

    def covered(self, indices: set[int]) -> set[int]:
        """The interactions the outcomes at `indices` stand for (a collapsed poll run is many)."""
        return {o.index + k for o in self.outcomes if o.index in indices for k in range(o.polls)}

    def summary(self) -> str:
        matched = sum(o.polls for o in self.outcomes if not o.problems)
        equivalent = sum(o.equivalent for o in self.outcomes)
        collapsed = sum(o.polls - 1 for o in self.outcomes)
        return (f"replay {self.name}: {self.interactions} interactions, {matched} matched"
                f"{f' ({equivalent} as 200~201)' if equivalent else ''}, "
                f"{sum(o.polls for o in self.outcomes if o.problems)} mismatched; {len(self.outcomes)} requests "
                f"({collapsed} recorded polls folded in, {len(self.skipped)} identity exchanges left to test_reference)")


class Replayer:
    def __init__(self, emu, name: str, exchanges: list[Exchange], *, cli: bool):
        self.emu = emu
        self.name = name
        self.exchanges = exchanges
        self.cli = cli
        self.sub = emu.info["subscription_id"]
        self.token = emu.token(scope=f"https://{PUBLIC_ARM}/.default")
        self.checker = session.checker()
        self.urls: dict[str, tuple[str, str]] = {}     # key of a recorded operation URL -> (header, azemu's URL)
        self.etags: dict[str, str] = {}
        self.next_links: dict[str, str] = {}           # a recorded nextLink (path?query) -> azemu's
        self.names: dict[str, str] = {}                # a name the server made, recorded -> azemu's
        self.groups: set[str] = set()

    # --- run ---------------------------------------------------------------------------------

    def run(self) -> Result:
        self._create_groups()
        outcomes, skipped = [], []
        i = 0
        while i < len(self.exchanges):
            e = self.exchanges[i]
            if _is_identity(e):
                skipped.append(i)
                i += 1
                continue
            key = _operation_key(e.uri)
            if key in self.urls:
                last = i
                while last + 1 < len(self.exchanges) and _operation_key(self.exchanges[last + 1].uri) == key:
                    last += 1
                outcome = self._poll(i, self.exchanges[last], *self.urls[key])
                outcome.polls = last - i + 1
                outcomes.append(outcome)
                i = last + 1
                continue
            outcomes.append(self._send(i, e))
            i += 1
        return Result(self.name, len(self.exchanges), outcomes, skipped)

    def _create_groups(self) -> None:
        groups: dict[str, dict[str, Any]] = {}
        for e in self.exchanges:
            m = re.search(r"/resourcegroups/([^/?]+)", urlsplit(e.uri).path, re.I)
            if m and m.group(1).lower() not in {g.lower() for g in groups}:
                groups[m.group(1)] = _group_of(self.exchanges, m.group(1))
        self.groups = {g.lower() for g in groups}
        for name, body in groups.items():
            status, _, answer = self._http("PUT", f"https://{PUBLIC_ARM}/subscriptions/{self.sub}/resourcegroups/{name}"
                                                  "?api-version=2021-04-01", body)
            assert status in (200, 201), f"could not create resource group {name}: {status} {answer}"

    def _send(self, index: int, e: Exchange) -> Outcome:
        target = self.next_links.get(_path_query(e.uri)) or e.uri.replace(RECORDED_SUBSCRIPTION, self.sub)
        headers = {"Accept": "application/json"}
        for name in ("If-Match", "If-None-Match"):
            value = _get(e.request_headers, name)
            if value:
                headers[name] = self.etags.get(value, value)
        status, resp_headers, body = self._http(e.method, target, self._body(e.request_body), headers)
        self._learn(e, resp_headers, body)
        return self._compare(index, e, status, resp_headers, body)

    def _poll(self, index: int, last: Exchange, header: str, url: str) -> Outcome:
        deadline = time.monotonic() + 60
        while True:
            status, headers, body = self._http("GET", url)
            running = (isinstance(body, dict) and body.get("status") == "InProgress") if header == "Azure-AsyncOperation" \
                else status == 202
            if not running or time.monotonic() > deadline:
                break
            time.sleep(min(float(headers.get("Retry-After") or 1), 0.5))
        self._learn(last, headers, body)
        return self._compare(index, last, status, headers, body)

    # --- mapping -----------------------------------------------------------------------------

    def _learn(self, e: Exchange, headers, body: Any) -> None:
        for name in ("Azure-AsyncOperation", "Location"):
            recorded, ours = e.header(name), headers.get(name)
            if recorded and ours:
                self.urls.setdefault(_operation_key(recorded), (name, ours))
        if e.header("ETag") and headers.get("ETag"):
            self.etags[e.header("ETag")] = headers.get("ETag")
        recorded_next = e.response_body.get("nextLink") if isinstance(e.response_body, dict) else None
        ours_next = body.get("nextLink") if isinstance(body, dict) else None
        if recorded_next and ours_next:
            self.next_links[_path_query(recorded_next)] = ours_next
        _server_names(e.response_body, body, self.names)

    def _body(self, body: Any) -> Any:
        return self._mapped(body, {RECORDED_SUBSCRIPTION: self.sub})

    def _mapped(self, value: Any, extra: dict[str, str] | None = None) -> Any:
        """`value` (a body) with the server-made names learned so far (and `extra`) as azemu has them."""
        replacements = {**(extra or {}), **self.names}
        if value is None or not replacements:
            return value
        text = value if isinstance(value, str) else json.dumps(value)
        for recorded, ours in replacements.items():
            text = text.replace(recorded, ours)
        return text if isinstance(value, str) else json.loads(text)

    def _http(self, method: str, url: str, body: Any = None, headers: dict[str, str] | None = None):
        """One request to azemu for `url`, addressed (Host) as its host."""
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.emu.http(method, target, body, {"Host": parts.netloc, "Authorization": f"Bearer {self.token}",
                                                    **(headers or {})})

    # --- comparison --------------------------------------------------------------------------

    def _compare(self, index: int, e: Exchange, status: int, headers, body: Any) -> Outcome:
        outcome = Outcome(index, e.method, urlsplit(e.uri).path, e.status, status)
        op = self.checker.index.match(e.method, urlsplit(e.uri).path, urlsplit(e.uri).query)
        if status != e.status:
            outcome.equivalent = (e.method == "PUT" and {status, e.status} == {200, 201} and op is not None
                                  and {"200", "201"} <= set(op.responses))
            if not outcome.equivalent:
                outcome.problems.append(f"status {status}, Azure {e.status}" + _error_of(body))
                return outcome
        for name in COMPARED_HEADERS:
            recorded, ours = e.header(name), headers.get(name)
            if name.lower() in CLI_DROPPED_HEADERS and self.cli:
                continue
            if recorded and not ours:
                outcome.problems.append(f"no {name} header (Azure: {_short(recorded)})")
            elif ours and not recorded and name != "Retry-After":
                outcome.problems.append(f"a {name} header Azure does not send ({_short(ours)})")
            elif recorded and ours and _header_shape(name, recorded) != _header_shape(name, ours):
                outcome.problems.append(f"{name} {_short(ours)} is not shaped like Azure's {_short(recorded)}")
        if e.response_body not in (None, ""):
            recorded_type = (e.header("Content-Type") or "").split(";")[0].strip().lower()
            ours_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if recorded_type and recorded_type != ours_type:
                outcome.problems.append(f"Content-Type {ours_type!r}, Azure {recorded_type!r}")
            status_key = str(e.status) if op and str(e.status) in op.responses else "default"
            enums = self.checker.schemas.enum_pointers(op, status_key, e.response_body) if op else set()
            # An answer that started an operation shows a state Azure may or may not have left
            # already (its recordings show a PUT 201 both 'Updating' and 'Succeeded'): the
            # operation's own end is compared when it is polled.
            racing = any(e.header(h) for h in ("Azure-AsyncOperation", "Location"))
            _compare_body(self._ours_only(self._mapped(e.response_body)), body, "", "", enums, outcome.problems, racing)
        return outcome


    def _ours_only(self, body: Any) -> Any:
        """A subscription-wide list as recorded holds the recorder's other resources too: keep
        the items in the recording's own resource groups."""
        if isinstance(body, dict) and isinstance(body.get("value"), list):
            kept = [item for item in body["value"] if not (isinstance(item, dict) and _group_in(item.get("id"))
                                                            not in (None, *self.groups))]
            return {**body, "value": kept}
        return body


def _group_in(resource_id: Any) -> str | None:
    m = re.search(r"/resourcegroups/([^/]+)", resource_id, re.I) if isinstance(resource_id, str) else None
    return m.group(1).lower() if m else None


def _path_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path.lower() + "?" + parts.query


def _compare_body(recorded: Any, ours: Any, where: str, pattern: str, enums: set[str], problems: list[str],
                  racing: bool = False) -> None:
    """Every key path of `recorded` in `ours`; values compared as the module docstring says."""
    if isinstance(recorded, dict):
        if not isinstance(ours, dict):
            problems.append(f"{where or '/'}: {_kind(ours)} where Azure answered an object")
            return
        for key, value in recorded.items():
            if value is None:            # Azure's null is the absence of a value
                continue
            if key not in ours:
                problems.append(f"{where}/{key}: missing (Azure: {_short(value)})")
            else:
                _compare_body(value, ours[key], f"{where}/{key}", f"{pattern}/{key}", enums, problems, racing)
    elif isinstance(recorded, list):
        if not isinstance(ours, list):
            problems.append(f"{where or '/'}: {_kind(ours)} where Azure answered an array")
            return
        if recorded and all(isinstance(x, dict) and "name" in x for x in recorded):
            mine = {str(x.get("name", "")).lower(): x for x in ours if isinstance(x, dict)}
            for item in recorded:
                other = mine.get(str(item["name"]).lower())
                if other is None:
                    problems.append(f"{where}[{item['name']}]: missing")
                else:
                    _compare_body(item, other, f"{where}[{item['name']}]", f"{pattern}/*", enums, problems, racing)
        else:
            if len(ours) < len(recorded):
                problems.append(f"{where or '/'}: {len(ours)} items, Azure {len(recorded)}")
            for n, (item, other) in enumerate(zip(recorded, ours)):
                _compare_body(item, other, f"{where}[{n}]", f"{pattern}/*", enums, problems, racing)
    elif recorded is not None:
        key = pattern.rsplit("/", 1)[-1]
        if key in SERVER_VALUES or (key == "provisioningState" and (racing or (recorded in TRANSIENT
                                                                                and ours == "Succeeded"))):
            return
        by_value = isinstance(recorded, (bool, int, float)) or pattern in enums or key in ("provisioningState", "status")
        if by_value and recorded != ours:
            problems.append(f"{where}: {_short(ours)} (Azure: {_short(recorded)})")
        elif type(recorded) is not type(ours) and not {type(recorded), type(ours)} <= {int, float}:
            problems.append(f"{where}: {_kind(ours)} where Azure answered {_kind(recorded)}")


def _server_names(recorded: Any, ours: Any, found: dict[str, str]) -> None:
    """Strings at the same place in both bodies that differ only in a 32-hex part: recorded -> ours."""
    if isinstance(recorded, dict) and isinstance(ours, dict):
        for key, value in recorded.items():
            if key in ours:
                _server_names(value, ours[key], found)
    elif isinstance(recorded, list) and isinstance(ours, list):
        for item, other in zip(recorded, ours):
            _server_names(item, other, found)
    elif isinstance(recorded, str) and isinstance(ours, str) and recorded != ours and HEX_PART.search(recorded) \
            and HEX_PART.sub("", recorded) == HEX_PART.sub("", ours):
        found[recorded] = ours


def _operation_key(url: str) -> str:
    path = urlsplit(url).path.lower()
    return re.sub(r"/deployments/[^/]+", "/deployments/mock-deployment", path)


def _header_shape(name: str, value: str) -> Any:
    if name == "ETag":     # weak or strong, quoted, and what the tag is: a guid (ARM's), a hash, other
        tag = value[2:] if value.startswith("W/") else value
        inner = tag.strip('"')
        kind = "guid" if GUID.fullmatch(inner) else "hex" if re.fullmatch(r"[0-9a-fA-F]+", inner) else "opaque"
        return value.startswith("W/"), tag.startswith('"'), kind
    if name == "Retry-After":
        return value.isdigit()
    parts = urlsplit(value)
    segments = [s for s in parts.path.split("/") if s]
    # ARM paths alternate a keyword and a name: compare the keywords and the depth.
    keys = sorted(k for k in re.findall(r"(?:^|&)([^=&]+)=", parts.query) if k.lower() in ("api-version", "monitor"))
    return parts.scheme, len(segments), [s.lower() for s in segments[::2]], keys


def _group_of(exchanges: list[Exchange], group: str) -> dict[str, Any]:
    """The body to create `group` with: its recorded location and tags (the recorders tag
    the groups they make), else the location of the first resource created."""
    for e in exchanges:
        body = e.response_body
        if isinstance(body, dict) and body.get("type") == "Microsoft.Resources/resourceGroups" and \
                str(body.get("name", "")).lower() == group.lower():
            return {"location": body["location"], **({"tags": body["tags"]} if body.get("tags") else {})}
    for e in exchanges:
        if isinstance(e.request_body, dict) and e.request_body.get("location"):
            return {"location": e.request_body["location"]}
    return {"location": "westus"}


def _is_identity(e: Exchange) -> bool:
    return urlsplit(e.uri).netloc.lower().startswith("login.")


def _get(headers: dict[str, Any], name: str) -> Any:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def _error_of(body: Any) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    return f" ({error.get('code')}: {_short(error.get('message'), 160)})" if isinstance(error, dict) else ""


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[:limit] + "..."

"""List responses: `{"value": [...], "nextLink": ...}` pages of `settings.page_size` items.

The nextLink repeats the request's query (api-version, $filter, ...) with a `$skiptoken`
holding the offset; the SDKs follow it as an opaque URL. `$top` caps the whole listing.
"""

from __future__ import annotations

from typing import Any, Sequence
from urllib.parse import urlencode

from aiohttp import web

from ..errors import ArmError
from ..hosts import addressed

SKIP = "$skiptoken"


def page(request: web.Request, items: Sequence[Any], page_size: int) -> dict[str, Any]:
    query = request.query
    try:
        offset = int(query.get(SKIP, "0"))
        top = int(query["$top"]) if "$top" in query else None
    except ValueError:
        raise ArmError.bad_request("InvalidQueryParameterValue", "The value of a paging query parameter is invalid.")
    if offset < 0 or (top is not None and top < 0):
        raise ArmError.bad_request("InvalidQueryParameterValue", "The value of a paging query parameter is invalid.")
    end_all = len(items) if top is None else min(len(items), top)
    end = min(end_all, offset + page_size)
    body: dict[str, Any] = {"value": list(items[offset:end])}
    if end < end_all:
        params = [(k, v) for k, v in query.items() if k != SKIP] + [(SKIP, str(end))]
        path = request.raw_path.split("?", 1)[0]
        body["nextLink"] = f"{addressed(request).base}{path}?{urlencode(params)}"
    return body

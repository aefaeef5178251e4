"""A tiny ARM client for azemu's tests: raw HTTP with a bearer token, so tests see exactly the
status codes, headers and bodies azemu sends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NETWORK_API = "2024-05-01"


@dataclass
class Resp:
    status: int
    headers: Any          # case-insensitive .get()
    body: Any

    def __repr__(self) -> str:
        return f"<Resp {self.status} {self.body!r}>"


class Arm:
    def __init__(self, emu, token: str | None = None, subscription: str | None = None):
        self.emu = emu
        self.token = token or emu.token()
        self.sub = subscription or emu.info["subscription_id"]

    def path(self, path: str) -> str:
        """Paths starting with /subscriptions are taken as they are; others are relative to
        the subscription."""
        return path if path.startswith(("/subscriptions", "/tenants")) else f"/subscriptions/{self.sub}{path}"

    def call(self, method: str, path: str, body: Any = None, *, api_version: str | None = NETWORK_API,
             headers: dict[str, str] | None = None, query: str = "", raw_url: str | None = None) -> Resp:
        if raw_url is not None:
            url = raw_url.split(self.emu.url, 1)[-1]
        else:
            url = self.path(path)
            params = [p for p in ([f"api-version={api_version}"] if api_version else []) + ([query] if query else [])]
            if params:
                url += ("&" if "?" in url else "?") + "&".join(params)
        # token "-": send no Authorization header at all
        all_headers = {"Authorization": f"Bearer {self.token}"} if self.token != "-" else {}
        all_headers.update(headers or {})
        status, resp_headers, doc = self.emu.http(method, url, body, all_headers)
        return Resp(status, resp_headers, doc)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def head(self, path, **kw):
        return self.call("HEAD", path, **kw)

    def put(self, path, body, **kw):
        return self.call("PUT", path, body, **kw)

    def patch(self, path, body, **kw):
        return self.call("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def follow(self, url: str) -> Resp:
        """GET an absolute URL azemu handed out (operation, nextLink)."""
        return self.call("GET", "", raw_url=url)

    def widget(self, rg: str, name: str = "", *child: str) -> str:
        path = f"/resourceGroups/{rg}/providers/Microsoft.Azemu/widgets"
        return "/".join([path, name, *child]) if name else path

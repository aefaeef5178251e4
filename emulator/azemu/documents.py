"""Public documents: what anyone may GET without a token, outside ARM (the VM image alias
document, `registry.public_document`).

Each is served at its own path on azemu, and, addressed as a document host (through the proxy:
`hosts.DOCUMENT_HOSTS`), at the public URLs Azure's clients fetch it from. A document host
serves nothing else: every other request gets the 404 that host gives for a missing file, so a
client that looks for something else there (az's update check) fails as it would on a host
without it, and no ARM route answers under a document host's name.

The answers carry what each host sends: raw.githubusercontent.com `text/plain; charset=utf-8`,
`Cache-Control: max-age=300` and a weak ETag of the body's SHA-256, `404: Not Found` for a
missing file (the recorded test_vm_image_list_by_alias.yaml); Azure Blob Storage a quoted
`0x...` ETag, `x-ms-blob-type: BlockBlob` and, for a missing blob, 404 `BlobNotFound` in its
XML error body (Blob service REST API, "Status and error codes"). azemu's own path answers as
raw.githubusercontent.com does.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from aiohttp import web

from .arm import registry
from .hosts import DOCUMENT_HOSTS, addressed


def _github_headers(body: bytes) -> dict[str, str]:
    return {"ETag": f'W/"{hashlib.sha256(body).hexdigest()}"', "Cache-Control": "max-age=300"}


def _github_missing() -> web.Response:
    return web.Response(status=404, text="404: Not Found", content_type="text/plain", charset="utf-8")


def _blob_headers(body: bytes) -> dict[str, str]:
    return {"ETag": f'"0x{hashlib.sha256(body).hexdigest()[:15].upper()}"', "x-ms-blob-type": "BlockBlob"}


def _blob_missing() -> web.Response:
    now = time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime())
    body = ('<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code><Message>The specified blob '
            f"does not exist.\nRequestId:{uuid.uuid4()}\nTime:{now}</Message></Error>")
    return web.Response(status=404, reason="The specified blob does not exist.", text=body,
                        content_type="application/xml", headers={"x-ms-error-code": "BlobNotFound"})


@dataclass(frozen=True)
class HostStyle:
    content_type: str | None              # None: the document's own
    headers: Callable[[bytes], dict[str, str]]
    missing: Callable[[], web.Response]


GITHUB = HostStyle("text/plain", _github_headers, _github_missing)
STYLES = {
    "raw.githubusercontent.com": GITHUB,
    # Not recorded here: az reads the body as JSON whatever its type.
    "azcliprod.blob.core.windows.net": HostStyle("application/json", _blob_headers, _blob_missing),
}
OWN = HostStyle(None, _github_headers, _github_missing)


def _respond(document: registry.Document, style: HostStyle, head: bool) -> web.Response:
    body = json.dumps(document.fn(), indent=2).encode()
    headers = style.headers(body)
    content_type = style.content_type or document.content_type
    if head:
        return web.Response(headers={**headers, "Content-Type": f"{content_type}; charset=utf-8"})
    return web.Response(body=body, content_type=content_type, charset="utf-8", headers=headers)


def own_route(document: registry.Document):
    """The handler of a document at its path on azemu."""
    async def handler(request: web.Request) -> web.Response:
        return _respond(document, OWN, request.method == "HEAD")
    return handler


def at_public_hosts() -> dict[tuple[str, str], registry.Document]:
    """(host, path) -> document, for every public URL a document names."""
    found = {}
    for document in registry.documents().values():
        for url in document.public_urls:
            parts = urlsplit(url)
            if parts.hostname not in DOCUMENT_HOSTS:
                raise ValueError(f"{url}: not a document host of hosts.DOCUMENT_HOSTS")
            found[(parts.hostname, parts.path)] = document
    return found


def middleware(documents: dict[tuple[str, str], registry.Document]):
    """Requests addressed as a document host get its documents or its 404; the rest go on."""
    @web.middleware
    async def serve_document_hosts(request: web.Request, handler):
        host = addressed(request).host
        if host not in DOCUMENT_HOSTS:
            return await handler(request)
        document = documents.get((host, request.path)) if request.method in ("GET", "HEAD") else None
        if document is None:
            return STYLES[host].missing()
        return _respond(document, STYLES[host], request.method == "HEAD")
    return serve_document_hosts

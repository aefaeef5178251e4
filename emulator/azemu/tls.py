"""The test CA and the server certificate. The CA (key included) is kept in the state dir so
`ca.pem` stays valid across restarts: clients that trust it keep working."""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme

CA_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
SERVER_NAMES = ("127.0.0.1", "localhost", "::1")


def load_or_create_ca(state_dir: Path) -> trustme.CA:
    cert_path, key_path = state_dir / CA_FILE, state_dir / CA_KEY_FILE
    if cert_path.exists() and key_path.exists():
        return trustme.CA.from_pem(cert_path.read_bytes(), key_path.read_bytes())
    ca = trustme.CA(organization_name="azemu", organization_unit_name="azemu test CA")
    key_path.touch(mode=0o600)
    key_path.write_bytes(ca.private_key_pem.bytes())
    ca.cert_pem.write_to_path(str(cert_path))
    return ca


def context_for(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    """A server context whose certificate, issued by `ca`, names `names`."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(*names).configure_cert(ctx)
    return ctx


def server_context(state_dir: Path) -> ssl.SSLContext:
    return context_for(load_or_create_ca(state_dir), *SERVER_NAMES)

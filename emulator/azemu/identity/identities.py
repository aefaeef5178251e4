"""The fixed identities of one state dir: tenants, their subscription and service principal,
and the token signing key. Generated on first start, then read back, so credentials handed out
once (azemu env, azemu.json) keep working across restarts.

The first tenant is the one azemu.json and `azemu env` describe. A second tenant with its own
subscription and principal exists so "a token for another tenant's subscription" can be tried.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

IDENTITIES_FILE = "identities.json"
KEY_FILE = "signing-key.pem"
TEST_API_TOKEN_FILE = "testapi-token"


@dataclass
class Tenant:
    tenant_id: str
    subscription_id: str
    subscription_name: str
    client_id: str
    client_secret: str
    object_id: str          # the service principal's object id (the token's oid)

    @classmethod
    def new(cls, label: str) -> "Tenant":
        return cls(tenant_id=str(uuid.uuid4()), subscription_id=str(uuid.uuid4()),
                   subscription_name=f"azemu {label}", client_id=str(uuid.uuid4()),
                   # Azure secrets are 40 characters of this alphabet, '~' included.
                   client_secret=_secret(), object_id=str(uuid.uuid4()))


def _secret() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789~._-"
    return "".join(secrets.choice(alphabet) for _ in range(40))


class Identities:
    def __init__(self, tenants: list[Tenant], key: rsa.RSAPrivateKey):
        self.tenants = tenants
        self.key = key
        der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.kid = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()

    @property
    def primary(self) -> Tenant:
        return self.tenants[0]

    def tenant(self, tenant_id: str) -> Tenant | None:
        return next((t for t in self.tenants if t.tenant_id.lower() == tenant_id.lower()), None)

    def subscription(self, subscription_id: str) -> Tenant | None:
        return next((t for t in self.tenants if t.subscription_id.lower() == subscription_id.lower()), None)

    @classmethod
    def load_or_create(cls, state_dir: Path) -> "Identities":
        ids_path, key_path = state_dir / IDENTITIES_FILE, state_dir / KEY_FILE
        if ids_path.exists() and key_path.exists():
            tenants = [Tenant(**t) for t in json.loads(ids_path.read_text())["tenants"]]
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            return cls(tenants, key)
        state_dir.mkdir(parents=True, exist_ok=True)
        tenants = [Tenant.new("primary"), Tenant.new("other tenant")]
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _write_private(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
        _write_private(ids_path, json.dumps({"tenants": [asdict(t) for t in tenants]}, indent=2).encode())
        return cls(tenants, key)


def test_api_token(state_dir: Path) -> str:
    """The credential of azemu's test API (`/_azemu/...`), apart from every Azure identity:
    generated once per state dir into a file only its owner can read."""
    path = state_dir / TEST_API_TOKEN_FILE
    try:
        token = path.read_text().strip()
    except OSError:
        token = ""
    if not token:
        token = secrets.token_urlsafe(32)
        state_dir.mkdir(parents=True, exist_ok=True)
        _write_private(path, f"{token}\n".encode())
    return token


def _write_private(path: Path, data: bytes) -> None:
    """Secrets readable by the owner only."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.touch(mode=0o600)
    tmp.write_bytes(data)
    tmp.replace(path)

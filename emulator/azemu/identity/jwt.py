"""RS256 JSON Web Tokens, signed and checked with `cryptography` (no JWT library needed)."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


class InvalidToken(Exception):
    pass


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(claims: dict[str, Any], key: rsa.RSAPrivateKey, kid: str) -> str:
    header = {"typ": "JWT", "alg": "RS256", "x5t": kid, "kid": kid}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def decode(token: str, public_key: rsa.RSAPublicKey) -> dict[str, Any]:
    """Verify the signature and return the claims; raises InvalidToken. Times and audience are
    the caller's business (ARM reports each with its own error)."""
    try:
        head, body, sig = token.split(".")
        header = json.loads(b64url_decode(head))
        if header.get("alg") != "RS256":
            raise InvalidToken("unsupported alg")
        public_key.verify(b64url_decode(sig), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
        claims = json.loads(b64url_decode(body))
    except (ValueError, InvalidSignature, json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InvalidToken(str(err) or err.__class__.__name__) from None
    if not isinstance(claims, dict):
        raise InvalidToken("claims are not an object")
    return claims


def jwk(public_key: rsa.RSAPublicKey, kid: str) -> dict[str, Any]:
    numbers = public_key.public_numbers()
    as_bytes = lambda n: n.to_bytes((n.bit_length() + 7) // 8, "big")  # noqa: E731
    return {"kty": "RSA", "use": "sig", "kid": kid, "x5t": kid,
            "n": b64url(as_bytes(numbers.n)), "e": b64url(as_bytes(numbers.e))}

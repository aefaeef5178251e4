"""The 64-bit MurmurHash variant behind ARM's `uniqueString()`, so a template gets the names it
gets in Azure: the arguments joined with `-`, hashed as UTF-8, the top 65 bits of the hash
written as 13 lower-case base-32 characters. Checked against published outputs of Azure's
function (Microsoft's DSC tests: `uniqueString('a')` is `cfvwxu6sc4lqo`) in
tests/test_deployments_functions.py. The template hash uses the same hash (its value is
azemu's; Azure's is a hash of its own canonical form).
"""

from __future__ import annotations

import json
from typing import Any

M32 = 0xFFFFFFFF
C1, C2, C3, C4 = 0xAB0E9789, 0x239B961B, 0x85EBCA6B, 0xC2B2AE35
BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & M32


def _fmix(x: int) -> int:
    x = ((x ^ (x >> 16)) * C3) & M32
    x = ((x ^ (x >> 13)) * C4) & M32
    return x ^ (x >> 16)


def _le(data: bytes) -> int:
    return int.from_bytes(data, "little")


def murmur64(data: bytes) -> int:
    h1 = h2 = 0
    n = len(data)
    full = n - n % 8
    for i in range(0, full, 8):
        k1 = (_rotl((_le(data[i:i + 4]) * C2) & M32, 15) * C1) & M32
        k2 = (_rotl((_le(data[i + 4:i + 8]) * C1) & M32, 17) * C2) & M32
        h1 = ((_rotl(h1 ^ k1, 19) + h2) * 5 + 0x561CCD1B) & M32
        h2 = ((_rotl(h2 ^ k2, 13) + h1) * 5 + 0x0BCAA747) & M32
    tail = data[full:]
    if tail:
        h1 ^= (_rotl((_le(tail[:4]) * C2) & M32, 15) * C1) & M32
        if len(tail) > 4:
            h2 ^= (_rotl((_le(tail[4:]) * C1) & M32, 17) * C2) & M32
    h2 ^= n
    h1 = ((h1 ^ n) + h2) & M32
    h2 = (h2 + h1) & M32
    h1, h2 = _fmix(h1), _fmix(h2)
    h1 = (h1 + h2) & M32
    h2 = (h2 + h1) & M32
    return (h2 << 32) | h1


def unique_string(*values: str) -> str:
    h = murmur64("-".join(values).encode("utf-8"))
    out = []
    for _ in range(13):
        out.append(BASE32[h >> 59])
        h = (h << 5) & 0xFFFFFFFFFFFFFFFF
    return "".join(out)


def template_hash(template: Any) -> str:
    """A decimal 64-bit hash of the template, as `properties.templateHash` shows it."""
    return str(murmur64(json.dumps(template, sort_keys=True, separators=(",", ":")).encode("utf-8")))

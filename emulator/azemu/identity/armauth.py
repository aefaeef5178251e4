"""How ARM checks the bearer token of each request, with ARM's 401 answers.

Every 401 carries `WWW-Authenticate: Bearer authorization_uri="<login>", error="invalid_token",
error_description="..."` and the ARM error envelope, as management.azure.com does; the codes are
ARM's (AuthenticationFailed, InvalidAuthenticationToken, ExpiredAuthenticationToken,
InvalidAuthenticationTokenAudience, InvalidAuthenticationTokenTenant). The login URLs in them are
the authority that goes with the name the client addressed (`hosts.Names`): azemu itself, or
public Azure's `login.windows.net` and `sts.windows.net` as management.azure.com names them.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..errors import ArmError
from . import jwt

if TYPE_CHECKING:
    from ..emulator import Emulator
    from ..hosts import Names

CLOCK_SKEW = 300   # seconds of nbf/exp tolerance, as Azure AD token validation allows


def unauthorized(names: "Names", code: str, message: str, description: str, tenant_id: str = "") -> ArmError:
    challenge = (f'Bearer authorization_uri="{names.authority}/{tenant_id}", error="invalid_token", '
                 f'error_description="{description}"')
    return ArmError(401, code, message, headers={"WWW-Authenticate": challenge})


def _utc(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%m/%d/%Y %H:%M:%S")


def check_token(emu: "Emulator", authorization: str | None, names: "Names") -> dict[str, Any]:
    """The token's claims, or an ArmError (401) saying what is wrong with it."""
    if not authorization:
        raise unauthorized(names, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.",
                           "The authentication failed because of missing 'Authorization' header.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized(names, "AuthenticationFailed",
                           "Authentication failed. The 'Authorization' header is provided in an invalid format.",
                           "The authentication failed because of invalid 'Authorization' header.")
    try:
        claims = jwt.decode(token.strip(), emu.identities.key.public_key())
    except jwt.InvalidToken:
        raise unauthorized(names, "InvalidAuthenticationToken", "The access token is invalid.",
                           "The access token is invalid.") from None
    now = time.time()
    exp, nbf = claims.get("exp"), claims.get("nbf", 0)
    if not isinstance(exp, (int, float)) or exp + CLOCK_SKEW < now:
        raise unauthorized(names, "ExpiredAuthenticationToken",
                           f"The access token expiry UTC time '{_utc(exp or 0)}' is earlier than current UTC time "
                           f"'{_utc(now)}'.", "The access token has expired.")
    if isinstance(nbf, (int, float)) and nbf - CLOCK_SKEW > now:
        raise unauthorized(names, "InvalidAuthenticationToken", "The access token is not yet valid.",
                           "The access token is not yet valid.")
    aud = claims.get("aud", "")
    if not isinstance(aud, str) or not emu.accepts_audience(aud, names):
        allowed = "','".join(emu.audiences(names))
        raise unauthorized(names, "InvalidAuthenticationTokenAudience",
                           f"The access token has been obtained for wrong audience or resource '{aud}'. It should "
                           f"exactly match with one of the allowed audiences '{allowed}'.",
                           "The access token has been obtained from wrong audience or resource.")
    if not emu.identities.tenant(str(claims.get("tid", ""))):
        raise unauthorized(names, "InvalidAuthenticationToken", "The access token is invalid.",
                           "The access token is invalid.")
    return claims


def check_subscription(emu: "Emulator", claims: dict[str, Any], subscription_id: str, names: "Names") -> None:
    """404 for a subscription that does not exist; 401 when it belongs to another tenant."""
    owner = emu.identities.subscription(subscription_id)
    if owner is None:
        raise ArmError.subscription_not_found(subscription_id)
    tid = claims.get("tid", "")
    if owner.tenant_id.lower() != str(tid).lower():
        raise unauthorized(
            names, "InvalidAuthenticationTokenTenant",
            f"The access token is from the wrong issuer '{claims.get('iss') or tid}'. It must match the tenant "
            f"'{names.issuer}/{owner.tenant_id}/' associated with this subscription. Please use the authority (URL) "
            f"'{names.authority}/{owner.tenant_id}' to get the token. Note, if the subscription is transferred to another "
            "tenant there is no impact to the services, but information about new tenant could take time to "
            "propagate (up to an hour). If you just transferred your subscription and see this error message, "
            "please try back later.",
            "The access token is from the wrong issuer. It must match the tenant associated with this "
            "subscription. Please use correct authority to get the token.",
            tenant_id=owner.tenant_id)

"""Microsoft.Network/publicIPAddresses.

What Azure does and azemu copies:
- no `sku` means Basic (tier Regional); no allocation method means Dynamic, and a Standard
  address must be Static (`StandardSkuPublicIPAddressesMustBeStatic`);
- a Static address gets its IP when the create operation completes (the 201 answer shows
  none yet, the next GET does); azemu hands out addresses from its own pool (see
  addresses.PUBLIC_POOLS) and takes them back on delete. A Dynamic address gets no IP here:
  Azure gives one only while a running VM uses it;
- `dnsSettings.domainNameLabel` gives `fqdn` = `{label}.{region}.cloudapp.azure.com`, unique
  per region (`DnsRecordInUse`);
- `ipConfiguration` names the NIC ip configuration or load balancer frontend that uses the
  address, and while one does the address cannot be deleted (`PublicIPAddressCannotBeDeleted`).
"""

from __future__ import annotations

import re

from ...arm.engine import normalize_location
from ...arm.fields import is_integer
from ...arm.registry import register
from ...arm.resource_type import ResourceType
from ...errors import ArmError, in_use
from . import addresses
from .enums import ALLOCATION, DDOS_MODE, IP_VERSION, PIP_SKU, PIP_TIER
from .references import holders

IDLE_TIMEOUT = (4, 30)
DNS_LABEL_RE = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")
DNS_SUFFIX = "cloudapp.azure.com"
ZONES = ("1", "2", "3")


def fqdn(label: str, location: str) -> str:
    return f"{label}.{location}.{DNS_SUFFIX}"


def users(ctx, pip_id: str) -> list[str]:
    """Ids of the NIC ip configurations and LB frontends that use the address."""
    return [holder["id"] for _top, holder in holders(ctx, pip_id, via=("publicIPAddress",))]


@register
class PublicIPAddresses(ResourceType):
    provider = "Microsoft.Network"
    type = "publicIPAddresses"
    read_only = ("ipConfiguration", "resourceGuid", "ipAddress")

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        props = out["properties"]
        sku = out.get("sku") or {}
        if not isinstance(sku, dict):
            raise ArmError.invalid("'sku' must be an object.", target="sku")
        name = PIP_SKU.check(sku.get("name"), "sku.name", "Basic")
        out["sku"] = {"name": name, "tier": PIP_TIER.check(sku.get("tier"), "sku.tier", "Regional")}
        IP_VERSION.normalize(props, "publicIPAddressVersion", "IPv4")
        ALLOCATION.normalize(props, "publicIPAllocationMethod", "Dynamic")
        timeout = props.get("idleTimeoutInMinutes", IDLE_TIMEOUT[0])
        if not is_integer(timeout) or not IDLE_TIMEOUT[0] <= timeout <= IDLE_TIMEOUT[1]:
            raise ArmError.bad_request(
                "PublicIPIdleTimeoutIsOutOfRange",
                f"Public IP address has invalid Idle Timeout {timeout}. The value must be between "
                f"{IDLE_TIMEOUT[0]} and {IDLE_TIMEOUT[1]}.")
        props["idleTimeoutInMinutes"] = timeout
        props.setdefault("ipTags", [])
        if isinstance(props.get("ddosSettings"), dict):
            DDOS_MODE.normalize(props["ddosSettings"], "protectionMode")
        elif name == "Standard":
            props["ddosSettings"] = {"protectionMode": "VirtualNetworkInherited"}
        dns = props.get("dnsSettings")
        if dns is not None:
            if not isinstance(dns, dict):
                raise ArmError.invalid("'dnsSettings' must be an object.", target="dnsSettings")
            dns.pop("fqdn", None)     # computed from the label and the region
            label = dns.get("domainNameLabel")
            if label in (None, ""):
                props.pop("dnsSettings")
            elif not isinstance(label, str) or not DNS_LABEL_RE.match(label):
                raise ArmError.bad_request(
                    "InvalidDomainNameLabel",
                    f"The domain name label {label} is invalid. It must conform to the following regular "
                    f"expression: {DNS_LABEL_RE.pattern}.")
        zones = out.get("zones")
        if zones is not None:
            if not isinstance(zones, list) or any(z not in ZONES for z in zones):
                raise ArmError.invalid(f"'zones' must be a list of zone numbers among {', '.join(ZONES)}.",
                                       target="zones")
        if current is not None:
            self._check_update(current, out)
        label = (props.get("dnsSettings") or {}).get("domainNameLabel")
        if label:
            self._check_label_free(ctx, label, body.get("location") or (current and current.location), current)
        return out

    def _check_label_free(self, ctx, label, location, current):
        location = normalize_location(location)
        for other in ctx.resources("Microsoft.Network/publicIPAddresses"):
            if current is not None and other.id.lower() == current.id.lower():
                continue
            if (other.body.get("location") == location and
                    (other.props.get("dnsSettings") or {}).get("domainNameLabel") == label):
                raise ArmError.bad_request(
                    "DnsRecordInUse", f"DNS record {fqdn(label, location)} is already used by another public IP.")

    @staticmethod
    def _check_update(current, out):
        before = current.body
        if sorted(before.get("zones") or []) != sorted(out.get("zones") or []):
            raise ArmError.bad_request(
                "ResourceAvailabilityZonesCannotBeModified",
                f"Resource {current.id} has an existing availability zone constraint "
                f"{', '.join(before.get('zones') or []) or 'NoZone'} and the request has availability zone "
                f"constraint {', '.join(out.get('zones') or []) or 'NoZone'}, which do not match. Zones cannot "
                "be added/updated/removed once the resource is created.")
        if before.get("sku", {}).get("name") == "Standard" and out["sku"]["name"] == "Basic":
            raise ArmError.bad_request(
                "PublicIPSkuCannotBeDowngraded",
                f"Public IP address {current.id} has Standard sku and cannot be changed to Basic sku.")

    def fill(self, ctx, res, current):
        props = res.props
        if res.body["sku"]["name"] == "Standard" and props["publicIPAllocationMethod"] != "Static":
            raise ArmError.bad_request(
                "StandardSkuPublicIPAddressesMustBeStatic",
                f"Standard sku publicIp {res.id} must have AllocationMethod set to Static.")
        if current is None:
            props["resourceGuid"] = ctx.new_guid()

    def on_provisioned(self, ctx, res):
        props = res.props
        version = props["publicIPAddressVersion"]
        if props["publicIPAllocationMethod"] != "Static":
            props.pop("ipAddress", None)
            return
        have = props.get("ipAddress")
        if have and addresses.parse_address(have) in addresses.PUBLIC_POOLS[version]:
            return
        others = [r for r in ctx.resources("Microsoft.Network/publicIPAddresses") if r.id.lower() != res.id.lower()]
        used = [o.props.get("ipAddress") for o in others]
        address = addresses.allocate_public(version, [u for u in used if u])
        if address is None:
            raise ArmError.bad_request(
                "PublicIPCountLimitReached",
                f"Cannot create more than {addresses.PUBLIC_POOLS[version].num_addresses} public IP addresses "
                "for this subscription in this region.")
        props["ipAddress"] = address

    def render(self, ctx, res, out):
        props = out.setdefault("properties", {})
        used_by = users(ctx, res.id)
        if used_by:
            props["ipConfiguration"] = {"id": used_by[0]}
        label = (props.get("dnsSettings") or {}).get("domainNameLabel")
        if label:
            props["dnsSettings"]["fqdn"] = fqdn(label, out.get("location") or res.location)

    def check_delete(self, ctx, res):
        used_by = users(ctx, res.id)
        if used_by:
            raise in_use(
                "PublicIPAddressCannotBeDeleted",
                f"Public IP address {res.id} can not be deleted since it is still allocated to resource "
                f"{used_by[0]}. In order to delete the public IP, disassociate/detach the Public IP address "
                "from the resource.  To learn how to do this, see aka.ms/deletepublicip.")

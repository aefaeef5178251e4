"""Microsoft.Network/loadBalancers and the parts stored inside one: frontendIPConfigurations,
backendAddressPools, probes, loadBalancingRules, inboundNatRules and outboundRules, each also
served at `loadBalancers/{lb}/{collection}[/{name}]`.

What Azure does and azemu copies (see load_balancer_checks.py for the cross-checks):
- the load balancer is written as a whole: a PUT replaces every collection, and a write to
  one pool or NAT rule at its own URL is a write of the whole load balancer, so every part
  shares the new etag;
- no `sku` means Basic (tier Regional), as for public IPs;
- the server fills defaults the recording shows (a probe's `probeThreshold` 1, a rule's idle
  timeout 4 minutes and its `backendAddressPools` from `backendAddressPool`, ...);
- back-references are computed on every read: the rules, NAT rules and outbound rules that use
  a frontend, a pool or a probe, and a pool's `backendIPConfigurations`: the NIC ip
  configurations whose `loadBalancerBackendAddressPools` name the pool;
- a pool's members as `loadBalancerBackendAddresses`, IP-based or NIC-based, with their admin
  state (backend_addresses.py);
- `loadBalancers/{lb}/networkInterfaces` lists the NICs that use the load balancer.
"""

from __future__ import annotations

from typing import Any

from ...arm.context import render
from ...arm.fields import flag, integer
from ...arm.registry import register
from ...arm.resource_type import CHILD_METHODS, READ_ONLY_METHODS, ResourceType, action
from ...errors import ArmError
from . import backend_addresses
from . import load_balancer_checks as checks
from .enums import (ALLOCATION, DISTRIBUTION, IP_VERSION, LB_SKU, LB_TIER, NO_HEALTHY_BACKENDS, OUTBOUND_PROTOCOL,
                    PROBE_PROTOCOL, TRANSPORT)
from .references import holders

NIC_TYPE = "microsoft.network/networkinterfaces"


def refs(ids: list[str]) -> list[dict[str, str]]:
    return [{"id": i} for i in ids]


def using(parts: list, prop: str, target_id: str) -> list[str]:
    """Ids of the parts (rules, NAT rules, outbound rules) whose `prop` references target_id;
    `prop` holds one reference or a list of them."""
    target = target_id.lower()
    out = []
    for part in parts:
        value = part.props.get(prop)
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, dict) and str(v.get("id", "")).lower() == target for v in values):
            out.append(part.id)
    return out


@register
class LoadBalancers(ResourceType):
    provider = "Microsoft.Network"
    type = "loadBalancers"
    read_only = ("resourceGuid",)

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        sku = out.get("sku") or {}
        if not isinstance(sku, dict):
            raise ArmError.invalid("'sku' must be an object.", target="sku")
        out["sku"] = {"name": LB_SKU.check(sku.get("name"), "sku.name", "Basic"),
                      "tier": LB_TIER.check(sku.get("tier"), "sku.tier", "Regional")}
        if current is not None and current.body.get("sku", {}).get("name") != out["sku"]["name"]:
            # Code not found in Azure's public material (Azure moves Basic to Standard only by migration).
            raise ArmError.bad_request(
                "CannotChangeLoadBalancerSku",
                f"Load balancer {current.id} has sku {current.body['sku']['name']} and its sku cannot be changed "
                f"to {out['sku']['name']}.")
        # Not modelled by azemu (NAT pools are for scale sets): kept as sent.
        out["properties"].setdefault("inboundNatPools", [])
        return out

    def fill(self, ctx, res, current):
        if current is None:
            res.props["resourceGuid"] = ctx.new_guid()
        checks.check_load_balancer(ctx, res, current)

    def check_delete(self, ctx, res):
        for collection in checks.NIC_REFERENCES:
            for part in res.children(collection):
                checks.check_unused(ctx, part.id, collection)

    @action("networkInterfaces", method="GET", long_running=False)
    def network_interfaces(self, ctx, res, body):
        seen: dict[str, Any] = {}
        for top, _path in ctx.referrers(res.id):
            if top.rtype.key == NIC_TYPE:
                seen.setdefault(top.id.lower(), top)
        return {"value": [render(ctx, seen[key]) for key in sorted(seen)]}


class LoadBalancerPart(ResourceType):
    """A part of a load balancer, stored inside it."""
    provider = "Microsoft.Network"
    embedded = True
    methods = CHILD_METHODS
    has_tags = False
    location_required = False


@register
class FrontendIPConfigurations(LoadBalancerPart):
    type = "loadBalancers/frontendIPConfigurations"
    methods = READ_ONLY_METHODS     # the spec has only its GET: it changes with the load balancer
    read_only = ("loadBalancingRules", "inboundNatRules", "inboundNatPools", "outboundRules")

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        props = out["properties"]
        ALLOCATION.normalize(props, "privateIPAllocationMethod", "Dynamic")
        if props.get("subnet") is not None:
            IP_VERSION.normalize(props, "privateIPAddressVersion", "IPv4")
        return out

    def render(self, ctx, res, out):
        lb = res.parent
        props = out.setdefault("properties", {})
        for key, collection, prop in (("loadBalancingRules", "loadBalancingRules", "frontendIPConfiguration"),
                                      ("inboundNatRules", "inboundNatRules", "frontendIPConfiguration"),
                                      ("outboundRules", "outboundRules", "frontendIPConfigurations")):
            ids = using(lb.children(collection), prop, res.id)
            if ids:
                props[key] = refs(ids)


@register
class BackendAddressPools(LoadBalancerPart):
    type = "loadBalancers/backendAddressPools"
    read_only = ("backendIPConfigurations", "loadBalancingRules", "outboundRule", "outboundRules",
                 "inboundNatRules")

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        backend_addresses.validate(out["properties"])
        return out

    def fill(self, ctx, res, current):
        backend_addresses.fill(ctx, res, current, res.parent.body["sku"]["name"], checks.pool_members(ctx, res.id))

    def render(self, ctx, res, out):
        lb = res.parent
        props = out.setdefault("properties", {})
        members = checks.pool_members(ctx, res.id)
        backend_addresses.render(ctx, res, out, (lb.body.get("sku") or {}).get("name", "Basic"), members)
        if members:
            props["backendIPConfigurations"] = refs(members)
        for key, collection, prop in (("loadBalancingRules", "loadBalancingRules", "backendAddressPool"),
                                      ("outboundRules", "outboundRules", "backendAddressPool"),
                                      ("inboundNatRules", "inboundNatRules", "backendAddressPool")):
            ids = using(lb.children(collection), prop, res.id)
            if ids:
                props[key] = refs(ids)


@register
class Probes(LoadBalancerPart):
    type = "loadBalancers/probes"
    methods = READ_ONLY_METHODS     # the spec has only its GET: it changes with the load balancer
    read_only = ("loadBalancingRules",)

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        props = out["properties"]
        if props.get("protocol") is None or props.get("port") is None:
            raise ArmError.invalid("A probe needs 'protocol' and 'port'.")
        PROBE_PROTOCOL.normalize(props, "protocol")
        NO_HEALTHY_BACKENDS.normalize(props, "noHealthyBackendsBehavior")
        integer(props, "port", 1, 65535)
        integer(props, "intervalInSeconds", checks.MIN_PROBE_INTERVAL, 2147483647, 15)
        integer(props, "numberOfProbes", 1, 2147483647, 2)
        integer(props, "probeThreshold", 1, 2147483647, 1)
        if props.get("requestPath") == "":
            props.pop("requestPath")
        return out

    def fill(self, ctx, res, current):
        checks.check_probe(res)

    def render(self, ctx, res, out):
        ids = using(res.parent.children("loadBalancingRules"), "probe", res.id)
        if ids:
            out.setdefault("properties", {})["loadBalancingRules"] = refs(ids)


@register
class LoadBalancingRules(LoadBalancerPart):
    type = "loadBalancers/loadBalancingRules"
    methods = READ_ONLY_METHODS     # the spec has only its GET: it changes with the load balancer

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        props = out["properties"]
        if props.get("protocol") is None or props.get("frontendPort") is None or props.get("backendPort") is None:
            raise ArmError.invalid("A load balancing rule needs 'protocol', 'frontendPort' and 'backendPort'.")
        TRANSPORT.normalize(props, "protocol")
        integer(props, "frontendPort", 0, 65534)
        integer(props, "backendPort", 0, 65535)
        integer(props, "idleTimeoutInMinutes", *checks.IDLE_TIMEOUT, checks.IDLE_TIMEOUT[0])
        DISTRIBUTION.normalize(props, "loadDistribution", "Default")
        for key in ("enableFloatingIP", "enableTcpReset", "disableOutboundSnat", "enableDestinationServiceEndpoint",
                    "allowBackendPortConflict"):
            flag(props, key)
        return out


@register
class InboundNatRules(LoadBalancerPart):
    type = "loadBalancers/inboundNatRules"
    read_only = ("backendIPConfiguration",)

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        props = out["properties"]
        if props.get("protocol") is None:
            raise ArmError.invalid("An inbound NAT rule needs 'protocol'.")
        TRANSPORT.normalize(props, "protocol")
        integer(props, "frontendPort", 1, 65534)
        integer(props, "frontendPortRangeStart", 1, 65534)
        integer(props, "frontendPortRangeEnd", 1, 65534)
        integer(props, "backendPort", 1, 65535)
        integer(props, "idleTimeoutInMinutes", *checks.IDLE_TIMEOUT, checks.IDLE_TIMEOUT[0])
        for key in ("enableFloatingIP", "enableTcpReset", "enableDestinationServiceEndpoint",
                    "allowBackendPortConflict"):
            flag(props, key)
        return out

    def render(self, ctx, res, out):
        users = holders(ctx, res.id, via=("loadBalancerInboundNatRules",))
        if users:
            out.setdefault("properties", {})["backendIPConfiguration"] = {"id": users[0][1]["id"]}


@register
class OutboundRules(LoadBalancerPart):
    type = "loadBalancers/outboundRules"
    methods = READ_ONLY_METHODS     # the spec has only its GET: it changes with the load balancer

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        props = out["properties"]
        if props.get("protocol") is None:
            raise ArmError.invalid("An outbound rule needs 'protocol'.")
        OUTBOUND_PROTOCOL.normalize(props, "protocol")
        integer(props, "allocatedOutboundPorts", 0, 64000, 1024)
        integer(props, "idleTimeoutInMinutes", 4, 120, 4)
        flag(props, "enableTcpReset")
        # What Azure answers on every outbound rule, newer than the 2024-05-01 spec (the recorded
        # test_cli_mgmt_network_load_balancer); kept as sent when a client sends it back.
        props.setdefault("allocationPolicy", {"onDemandAllocation": False, "portReuse": "FirstAvailable"})
        return out

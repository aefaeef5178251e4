"""Every enum azemu checks (the registry `azemu.arm.fields.ENUMS`, filled by the providers):
its values are the spec's, spelled as the spec spells them, and through HTTP each value sent in
lower and in upper case is stored and answered in the spec's casing; anything else is refused.

A new enum cannot be forgotten: `test_every_enum_has_a_recipe` fails until RECIPES says how to
send it."""

from __future__ import annotations

import importlib
import itertools
import json
import uuid
from typing import Any, Callable

import pytest

from armclient import Arm
from azemu.arm import fields, registry
from compute_helpers import COMPUTE_API, make_nic, vm_body, wait_operation
from reference import reference_dir

registry.load_providers()
NETWORK_API = "2024-05-01"
SPEC_DIRS = {"Microsoft.Network": "specs/network/2024-05-01", "Microsoft.Compute": "specs/compute/2024-11-01"}
SDK_MODELS = {"Microsoft.Network": "azure.mgmt.network.models", "Microsoft.Compute": "azure.mgmt.compute.models"}
# Enums azemu checks that are no x-ms-enum anywhere in Azure's material, and why azemu checks them.
NOT_IN_SPECS = {"Microsoft.Compute/AvailabilitySetSkuTypes": "availability set Sku.name is a string in the spec; "
                                                             "Compute takes Classic and Aligned"}


# --- the values are the spec's -----------------------------------------------------------------

def spec_enums(namespace: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "enum" in node and "x-ms-enum" in node:
                found.setdefault(node["x-ms-enum"]["name"], set()).update(node["enum"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted((reference_dir() / SPEC_DIRS[namespace]).glob("*.json")):
        walk(json.loads(path.read_text()))
    return found


def azure_values(enum: fields.Enum) -> set[str] | None:
    """The values Azure's spec gives the enum; the SDK's (generated from the specs Azure has and
    azure-reference does not carry, such as the disk spec) when the spec files lack it."""
    in_spec = spec_enums(enum.namespace).get(enum.name)
    if in_spec is not None:
        return in_spec
    sdk_enum = getattr(importlib.import_module(SDK_MODELS[enum.namespace]), enum.name, None)
    return {member.value for member in sdk_enum} if sdk_enum is not None else None


@pytest.mark.parametrize("key", sorted(fields.ENUMS))
def test_values_are_the_specs(key):
    enum = fields.ENUMS[key]
    expected = azure_values(enum)
    if key in NOT_IN_SPECS:
        assert expected is None, f"{key} is in the specs now: check it there"
        return
    assert expected is not None, f"{key}: no such x-ms-enum in the specs nor the SDK; name it as the spec does"
    assert set(enum.values) <= expected, f"{key}: {set(enum.values) - expected} are not Azure's spelling"


# --- through HTTP: any case in, the spec's casing out --------------------------------------------

class World:
    def __init__(self, emu):
        self.arm = Arm(emu)
        self.rg = f"enums-{uuid.uuid4().hex[:8]}"
        assert self.arm.put(f"/resourcegroups/{self.rg}", {"location": "westus"}, api_version="2021-04-01").status == 201
        self.count = itertools.count()
        vnet = self.net("virtualNetworks", "vnet")
        self.put(vnet, {"location": "westus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                 "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/24"}}]}})
        self.subnet = f"/subscriptions/{self.arm.sub}{vnet}/subnets/default"

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self.count)}"

    def net(self, kind: str, name: str) -> str:
        return f"/resourceGroups/{self.rg}/providers/Microsoft.Network/{kind}/{name}"

    def compute(self, kind: str, name: str) -> str:
        return f"/resourceGroups/{self.rg}/providers/Microsoft.Compute/{kind}/{name}"

    def put(self, path: str, body: dict, api_version: str = NETWORK_API):
        """PUT, wait for its operation if it has one; (status, the resource as GET then answers)."""
        resp = self.arm.put(path, body, api_version=api_version)
        if resp.status >= 400:
            return resp.status, resp.body
        if resp.headers.get("Azure-AsyncOperation"):
            assert wait_operation(self.arm, resp)["status"] == "Succeeded"
        return resp.status, self.arm.get(path, api_version=api_version).body

    def public_ip(self, sku: str = "Standard") -> str:
        path = self.net("publicIPAddresses", self.unique("pip"))
        status, body = self.put(path, {"location": "westus", "sku": {"name": sku},
                                       "properties": {"publicIPAllocationMethod": "Static"}})
        assert status == 201, body
        return body["id"]

    def lb(self, value_at: Callable[[dict], Any], *, sku: dict | None = None, public: bool = False,
           **collections) -> tuple[int, Any]:
        name = self.unique("lb")
        lid = f"/subscriptions/{self.arm.sub}{self.net('loadBalancers', name)}"
        where = {"publicIPAddress": {"id": self.public_ip()}} if public else {"subnet": {"id": self.subnet}}
        props = {"frontendIPConfigurations": [{"name": "fe", "properties": where}],
                 "backendAddressPools": [{"name": "pool"}]}
        for key, parts in collections.items():
            props[key] = [{"name": f"{key}{i}", "properties": part(lid)} for i, part in enumerate(parts)]
        status, body = self.put(self.net("loadBalancers", name),
                                {"location": "westus", "sku": sku or {"name": "Standard"}, "properties": props})
        return status, (value_at(body) if status < 400 else body)

    def vm(self, value_at: Callable[[dict], Any], change: Callable[[dict], None]) -> tuple[int, Any]:
        name = self.unique("vm")
        body = vm_body([make_nic(self.arm, self.rg, f"{name}-nic")])
        body["properties"]["osProfile"]["computerName"] = name
        change(body["properties"])
        status, answer = self.put(self.compute("virtualMachines", name), body, api_version=COMPUTE_API)
        return status, (value_at(answer["properties"]) if status < 400 else answer)

    def disk(self, sku: str = "Standard_LRS", create: str = "Empty") -> tuple[int, Any]:
        return self.put(self.compute("disks", self.unique("disk")), {
            "location": "westus", "sku": {"name": sku},
            "properties": {"creationData": {"createOption": create}, "diskSizeGB": 4}}, api_version=COMPUTE_API)


def answered(status_body: tuple[int, Any], at: Callable[[Any], Any]) -> tuple[int, Any]:
    status, body = status_body
    return status, (at(body) if status < 400 else body)


def pip(w: World, value_at, sku="Basic", **props):
    body = {"location": "westus", "sku": sku if isinstance(sku, dict) else {"name": sku},
            "properties": {"publicIPAllocationMethod": "Static", **props}}
    return answered(w.put(w.net("publicIPAddresses", w.unique("pip")), body), value_at)


def nsg_rule(w: World, field: str, value: str):
    rule = {"protocol": "Tcp", "access": "Allow", "direction": "Inbound", "priority": 100, "sourcePortRange": "*",
            "destinationPortRange": "80", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", field: value}
    status, body = w.put(w.net("networkSecurityGroups", w.unique("nsg")),
                         {"location": "westus", "properties": {"securityRules": [{"name": "r", "properties": rule}]}})
    return status, (body["properties"]["securityRules"][0]["properties"][field] if status < 400 else body)


def subnet_policy(w: World, key: str, value: str):
    status, body = w.put(w.net("virtualNetworks", w.unique("vnet")), {"location": "westus", "properties": {
        "addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
        "subnets": [{"name": "s", "properties": {"addressPrefix": "10.1.0.0/24", key: value}}]}})
    return status, (body["properties"]["subnets"][0]["properties"][key] if status < 400 else body)


def nic_field(w: World, key: str, value: str):
    status, body = w.put(w.net("networkInterfaces", w.unique("nic")), {"location": "westus", "properties": {
        key: value, "ipConfigurations": [{"name": "ipconfig1", "properties": {"subnet": {"id": w.subnet}}}]}})
    return status, (body["properties"][key] if status < 400 else body)


def probe(value: str, **extra):
    protocol = extra.pop("protocol", value)
    path = {"requestPath": "/"} if protocol.lower() in ("http", "https") else {}
    return lambda lid: {"protocol": protocol, "port": 80, **path, **extra}


def fe(lid):
    return {"id": f"{lid}/frontendIPConfigurations/fe"}


def pool(lid):
    return {"id": f"{lid}/backendAddressPools/pool"}


def set_in(*keys):
    def change(props, value):
        node = props
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return change


def get_in(*keys):
    def read(node):
        for key in keys:
            node = node[key]
        return node
    return read


def vm_field(*keys):
    return lambda w, v: w.vm(get_in(*keys), lambda props: set_in(*keys)(props, v))


OS_DISK = ("storageProfile", "osDisk")
# enum key -> (how to send `value` and read back what azemu answers, the values to send: all by
# default; only those azemu emulates where it takes fewer than the enum has).
RECIPES: dict[str, tuple[Callable[[World, str], tuple[int, Any]], tuple[str, ...] | None]] = {
    "Microsoft.Network/LoadBalancerSkuName": (
        lambda w, v: w.lb(get_in("sku", "name"), sku={"name": v}), None),
    "Microsoft.Network/LoadBalancerSkuTier": (
        lambda w, v: w.lb(get_in("sku", "tier"), sku={"name": "Standard", "tier": v}), None),
    "Microsoft.Network/PublicIPAddressSkuName": (lambda w, v: pip(w, get_in("sku", "name"), sku=v), None),
    "Microsoft.Network/PublicIPAddressSkuTier": (
        lambda w, v: pip(w, get_in("sku", "tier"), sku={"name": "Standard", "tier": v}), None),
    "Microsoft.Network/DdosSettingsProtectionMode": (
        lambda w, v: pip(w, get_in("properties", "ddosSettings", "protectionMode"), sku="Standard",
                         ddosSettings={"protectionMode": v}), None),
    "Microsoft.Network/IPAllocationMethod": (
        lambda w, v: pip(w, get_in("properties", "publicIPAllocationMethod"), publicIPAllocationMethod=v), None),
    "Microsoft.Network/IPVersion": (
        lambda w, v: pip(w, get_in("properties", "publicIPAddressVersion"), publicIPAddressVersion=v), None),
    "Microsoft.Network/ProbeProtocol": (
        lambda w, v: w.lb(get_in("properties", "probes", 0, "properties", "protocol"), probes=[probe(v)]), None),
    "Microsoft.Network/ProbeNoHealthyBackendsBehavior": (
        lambda w, v: w.lb(get_in("properties", "probes", 0, "properties", "noHealthyBackendsBehavior"),
                          probes=[probe(v, protocol="Tcp", noHealthyBackendsBehavior=v)]), None),
    "Microsoft.Network/TransportProtocol": (
        lambda w, v: w.lb(get_in("properties", "inboundNatRules", 0, "properties", "protocol"), inboundNatRules=[
            lambda lid: {"frontendIPConfiguration": fe(lid), "protocol": v, "frontendPort": 5000,
                         "backendPort": 22}]), None),
    "Microsoft.Network/LoadDistribution": (
        lambda w, v: w.lb(get_in("properties", "loadBalancingRules", 0, "properties", "loadDistribution"),
                          loadBalancingRules=[lambda lid: {
                              "frontendIPConfiguration": fe(lid), "backendAddressPool": pool(lid), "protocol": "Tcp",
                              "frontendPort": 80, "backendPort": 80, "loadDistribution": v}]), None),
    "Microsoft.Network/LoadBalancerOutboundRuleProtocol": (
        lambda w, v: w.lb(get_in("properties", "outboundRules", 0, "properties", "protocol"), public=True,
                          outboundRules=[lambda lid: {"frontendIPConfigurations": [fe(lid)],
                                                      "backendAddressPool": pool(lid), "protocol": v}]), None),
    "Microsoft.Network/LoadBalancerBackendAddressAdminState": (
        lambda w, v: w.lb(get_in("properties", "backendAddressPools", 0, "properties", "loadBalancerBackendAddresses", 0,
                                 "properties", "adminState"), backendAddressPools=[lambda lid: {
                                     "loadBalancerBackendAddresses": [{"name": "a", "properties": {
                                         "ipAddress": "10.0.0.9", "subnet": {"id": w.subnet}, "adminState": v}}]}]),
        None),
    "Microsoft.Network/SecurityRuleProtocol": (lambda w, v: nsg_rule(w, "protocol", v), None),
    "Microsoft.Network/SecurityRuleAccess": (lambda w, v: nsg_rule(w, "access", v), None),
    "Microsoft.Network/SecurityRuleDirection": (lambda w, v: nsg_rule(w, "direction", v), None),
    "Microsoft.Network/VirtualNetworkPrivateEndpointNetworkPolicies": (
        lambda w, v: subnet_policy(w, "privateEndpointNetworkPolicies", v), None),
    "Microsoft.Network/VirtualNetworkPrivateLinkServiceNetworkPolicies": (
        lambda w, v: subnet_policy(w, "privateLinkServiceNetworkPolicies", v), None),
    "Microsoft.Network/NetworkInterfaceNicType": (lambda w, v: nic_field(w, "nicType", v), None),
    "Microsoft.Network/NetworkInterfaceAuxiliaryMode": (lambda w, v: nic_field(w, "auxiliaryMode", v), None),
    "Microsoft.Network/NetworkInterfaceAuxiliarySku": (lambda w, v: nic_field(w, "auxiliarySku", v), None),
    "Microsoft.Compute/StorageAccountTypes": (vm_field(*OS_DISK, "managedDisk", "storageAccountType"), None),
    "Microsoft.Compute/CachingTypes": (vm_field(*OS_DISK, "caching"), None),
    "Microsoft.Compute/DiskCreateOptionTypes": (vm_field(*OS_DISK, "createOption"), ("FromImage",)),
    "Microsoft.Compute/DiskDeleteOptionTypes": (vm_field(*OS_DISK, "deleteOption"), None),
    "Microsoft.Compute/DeleteOptions": (
        lambda w, v: w.vm(get_in("networkProfile", "networkInterfaces", 0, "properties", "deleteOption"),
                          lambda props: props["networkProfile"]["networkInterfaces"][0]["properties"].update(
                              deleteOption=v)), None),
    "Microsoft.Compute/DiskStorageAccountTypes": (lambda w, v: answered(w.disk(sku=v), get_in("sku", "name")), None),
    "Microsoft.Compute/DiskCreateOption": (
        lambda w, v: answered(w.disk(create=v), get_in("properties", "creationData", "createOption")), ("Empty",)),
    "Microsoft.Compute/AvailabilitySetSkuTypes": (
        lambda w, v: answered(w.put(w.compute("availabilitySets", w.unique("avset")),
                                    {"location": "westus", "sku": {"name": v}}, api_version=COMPUTE_API),
                              get_in("sku", "name")), None),
}


def test_every_enum_has_a_recipe():
    assert set(RECIPES) == set(fields.ENUMS)


def cases():
    for key in sorted(fields.ENUMS):
        _, only = RECIPES.get(key, (None, None))
        for value in only or fields.ENUMS[key].values:
            for variant in dict.fromkeys((value.lower(), value.upper())):
                yield pytest.param(key, variant, value, id=f"{key.split('/')[1]}-{variant}")


@pytest.fixture(scope="module")
def world(emu):
    return World(emu)


@pytest.mark.parametrize("key, sent, canonical", list(cases()))
def test_any_case_is_answered_in_the_specs_casing(world, key, sent, canonical):
    status, value = RECIPES[key][0](world, sent)
    assert status in (200, 201), value
    assert value == canonical


@pytest.mark.parametrize("key", sorted(fields.ENUMS))
def test_other_values_are_refused(world, key):
    status, body = RECIPES[key][0](world, "NotAValueOfThisEnum")
    assert status == 400, body
    assert "NotAValueOfThisEnum" in body["error"]["message"]

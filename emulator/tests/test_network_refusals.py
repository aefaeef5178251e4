"""Input Azure refuses and azemu accepted until issue 11: VNet names of 1 or 65 characters, a NIC
or load balancer in another region than what it references, HA ports on a public frontend, an
unknown service tag in a security rule, and a NIC of another VNet joining a backend pool. Each
is refused with Azure's code before anything is stored; what is allowed next to it still works."""

from __future__ import annotations

import pytest

from network_helpers import error_of, id_of, nic_body, path_of, put_done, vnet_body

PIP = {"location": "eastus", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}}


@pytest.mark.parametrize("length", [1, 65])
def test_vnet_names_outside_2_to_64_characters(arm, rg, length):
    name = "v" * length
    code, message = error_of(arm.put(path_of(rg, "virtualNetworks", name), vnet_body()))
    assert code == "InvalidResourceName" and "between 2 and 64 characters" in message, message
    assert arm.get(path_of(rg, "virtualNetworks", name)).status == 404


@pytest.mark.parametrize("length", [2, 64])
def test_vnet_names_of_2_and_64_characters(arm, rg, length):
    assert put_done(arm, path_of(rg, "virtualNetworks", "v" * length), vnet_body())["name"] == "v" * length


def test_a_nic_in_another_region_than_its_vnet(arm, rg):
    put_done(arm, path_of(rg, "virtualNetworks", "vnet"), vnet_body())
    subnet = id_of(arm, rg, "virtualNetworks", "vnet", "subnets", "default")
    code, message = error_of(arm.put(path_of(rg, "networkInterfaces", "nic"), dict(nic_body(subnet), location="westus")))
    assert code == "InvalidResourceReference" and "same region" in message and subnet in message, message
    assert put_done(arm, path_of(rg, "networkInterfaces", "nic"), nic_body(subnet))["location"] == "eastus"


def lb_body(frontend, rules=()):
    return {"location": "eastus", "sku": {"name": "Standard"}, "properties": {
        "frontendIPConfigurations": [{"name": "fe", "properties": frontend}],
        "backendAddressPools": [{"name": "pool"}], "loadBalancingRules": list(rules)}}


def ha_rule(arm, rg):
    lb = id_of(arm, rg, "loadBalancers", "lb")
    return {"name": "ha", "properties": {
        "protocol": "All", "frontendPort": 0, "backendPort": 0,
        "frontendIPConfiguration": {"id": f"{lb}/frontendIPConfigurations/fe"},
        "backendAddressPool": {"id": f"{lb}/backendAddressPools/pool"}}}


def test_a_load_balancer_in_another_region_than_its_public_ip_or_subnet(arm, rg):
    put_done(arm, path_of(rg, "publicIPAddresses", "pip"), dict(PIP, location="westus"))
    put_done(arm, path_of(rg, "virtualNetworks", "vnet"), dict(vnet_body(), location="westus"))
    pip = id_of(arm, rg, "publicIPAddresses", "pip")
    subnet = id_of(arm, rg, "virtualNetworks", "vnet", "subnets", "default")
    for frontend in ({"publicIPAddress": {"id": pip}}, {"subnet": {"id": subnet}}):
        code, message = error_of(arm.put(path_of(rg, "loadBalancers", "lb"), lb_body(frontend)))
        assert code == "InvalidResourceReference" and "same region" in message, message
    assert put_done(arm, path_of(rg, "loadBalancers", "lb"),
                    dict(lb_body({"publicIPAddress": {"id": pip}}), location="westus"))["location"] == "westus"


def test_ha_ports_only_on_an_internal_frontend(arm, rg):
    put_done(arm, path_of(rg, "publicIPAddresses", "pip"), PIP)
    put_done(arm, path_of(rg, "virtualNetworks", "vnet"), vnet_body())
    public = {"publicIPAddress": {"id": id_of(arm, rg, "publicIPAddresses", "pip")}}
    code, message = error_of(arm.put(path_of(rg, "loadBalancers", "lb"), lb_body(public, [ha_rule(arm, rg)])))
    assert code == "HaPortsRuleNotAllowedOnPublicLoadBalancer" and "is public" in message, message
    internal = {"subnet": {"id": id_of(arm, rg, "virtualNetworks", "vnet", "subnets", "default")}}
    lb = put_done(arm, path_of(rg, "loadBalancers", "lb"), lb_body(internal, [ha_rule(arm, rg)]))
    assert [r["properties"]["protocol"] for r in lb["properties"]["loadBalancingRules"]] == ["All"]


@pytest.mark.parametrize("tag, known", [("Storage", True), ("Storage.WestUS", True), ("azurecloud.eastus", True),
                                        ("AzureFrontDoor.Backend", True), ("NotATag", False), ("Storage.", False),
                                        ("InternetX", False)])
def test_service_tags_of_azure_only(arm, rg, tag, known):
    body = {"location": "eastus", "properties": {"securityRules": [{"name": "r", "properties": {
        "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourcePortRange": "*",
        "destinationPortRange": "80", "sourceAddressPrefix": tag, "destinationAddressPrefix": "*"}}]}}
    if known:
        assert put_done(arm, path_of(rg, "networkSecurityGroups", "nsg"), body)["name"] == "nsg"
    else:
        code, message = error_of(arm.put(path_of(rg, "networkSecurityGroups", "nsg"), body))
        assert code == "SecurityRuleInvalidAddressPrefix" and tag in message, message


def test_a_nic_of_another_vnet_cannot_join_a_pool(arm, rg):
    put_done(arm, path_of(rg, "publicIPAddresses", "pip"), PIP)
    put_done(arm, path_of(rg, "loadBalancers", "lb"),
             lb_body({"publicIPAddress": {"id": id_of(arm, rg, "publicIPAddresses", "pip")}}))
    pool = {"id": id_of(arm, rg, "loadBalancers", "lb", "backendAddressPools", "pool")}
    for vnet, space in (("vnet1", "10.1.0.0/16"), ("vnet2", "10.2.0.0/16")):
        put_done(arm, path_of(rg, "virtualNetworks", vnet), vnet_body((("default", space.replace("/16", "/24")),), (space,)))
    first = id_of(arm, rg, "virtualNetworks", "vnet1", "subnets", "default")
    other = id_of(arm, rg, "virtualNetworks", "vnet2", "subnets", "default")
    put_done(arm, path_of(rg, "networkInterfaces", "nic1"), nic_body(first, loadBalancerBackendAddressPools=[pool]))
    put_done(arm, path_of(rg, "networkInterfaces", "nic2"), nic_body(first, loadBalancerBackendAddressPools=[pool]))
    code, message = error_of(arm.put(path_of(rg, "networkInterfaces", "nic3"),
                                     nic_body(other, loadBalancerBackendAddressPools=[pool])))
    assert code == "BackendAddressPoolMembersInDifferentVirtualNetworks" and "vnet2" in message, message
    assert put_done(arm, path_of(rg, "networkInterfaces", "nic3"), nic_body(other))["name"] == "nic3"

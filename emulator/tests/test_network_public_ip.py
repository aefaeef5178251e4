"""Microsoft.Network/publicIPAddresses over real HTTPS: shapes against Azure's examples and
recordings, SKU and allocation rules, addresses from azemu's pool, the ipConfiguration
back-reference and what blocks a delete."""

from __future__ import annotations

import ipaddress

import pytest

from azemu.providers.network import addresses
from network_helpers import (delete_done, error_of, example, finish, id_of, nic_body, path_of, put_done, retarget,
                             vnet_body)
from reference import assert_covers, find, header_set, recording

STANDARD = {"location": "eastus", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}}
POOL = addresses.PUBLIC_POOLS["IPv4"]


def pip_path(rg, name):
    return path_of(rg, "publicIPAddresses", name)


class TestAgainstAzure:
    def test_create_with_defaults_matches_the_example(self, arm, rg):
        doc = retarget(example("2024-05-01/examples/PublicIpAddressCreateDefaults.json"), arm, rg)
        resp = arm.put(pip_path(rg, "test-ip"), doc["parameters"]["parameters"])
        assert resp.status == 201, resp
        want = doc["responses"]["201"]["body"]
        # The example shows an ipConfiguration no fresh address can have.
        assert_covers(resp.body, want, ignore=("ipConfiguration",))
        assert finish(arm, resp) == {"status": "Succeeded"}
        got = arm.get(pip_path(rg, "test-ip")).body
        assert_covers(got, doc["responses"]["200"]["body"], ignore=("ipConfiguration",))
        props = got["properties"]
        assert (got["sku"]["name"], props["publicIPAllocationMethod"], props["publicIPAddressVersion"],
                props["idleTimeoutInMinutes"]) == ("Basic", "Dynamic", "IPv4", 4)
        assert "ipAddress" not in props, "a dynamic address gets no IP until a running VM uses it"

    def test_get_matches_the_example(self, arm, rg):
        want = retarget(example("2024-05-01/examples/PublicIpAddressGet.json"), arm, rg)["responses"]["200"]["body"]
        put_done(arm, pip_path(rg, "testDNS-ip"), {"location": "westus"})
        got = arm.get(pip_path(rg, "testDNS-ip")).body
        # No NIC uses it, and azemu has no DDoS plans or ip tags of Azure's own services.
        assert_covers(got, want, ignore=("ipConfiguration", "ddosSettings", "ipTags"))

    def test_standard_static_follows_the_recorded_exchange(self, arm, rg):
        exchanges = recording("load_balancer")
        put = find(exchanges, "PUT", r"/publicIPAddresses/public_ip_address_name$", 201)[0]
        get = find(exchanges, "GET", r"/publicIPAddresses/public_ip_address_name$", 200)[-1]
        resp = arm.put(pip_path(rg, "recorded"), put.request_body)
        assert resp.status == put.status
        assert header_set(resp.headers) == header_set(put.response_headers)
        assert_covers(resp.body, put.response_body)
        assert resp.body["properties"]["provisioningState"] == "Updating"
        assert "ipAddress" not in resp.body["properties"], "Azure shows the address only once provisioned"
        assert finish(arm, resp) == {"status": "Succeeded"}
        got = arm.get(pip_path(rg, "recorded")).body
        assert_covers(got, get.response_body)
        assert set(got["properties"]) >= set(get.response_body["properties"])

    def test_delete_follows_the_recorded_exchange(self, arm, rg):
        exchanges = recording("ip_addresses")
        recorded = find(exchanges, "DELETE", r"/publicIPAddresses/", 202)[0]
        put_done(arm, pip_path(rg, "gone"), STANDARD)
        resp = arm.delete(pip_path(rg, "gone"))
        assert resp.status == recorded.status
        assert header_set(resp.headers) == header_set(recorded.response_headers)
        assert finish(arm, resp) == {"status": "Succeeded"}
        assert arm.get(pip_path(rg, "gone")).status == 404


class TestAddresses:
    def test_static_addresses_come_from_the_pool_and_go_back_to_it(self, arm, rg):
        first = put_done(arm, pip_path(rg, "a"), STANDARD)["properties"]["ipAddress"]
        second = put_done(arm, pip_path(rg, "b"), STANDARD)["properties"]["ipAddress"]
        assert ipaddress.ip_address(first) in POOL and ipaddress.ip_address(second) in POOL
        assert first != second
        again = put_done(arm, pip_path(rg, "a"), dict(STANDARD, tags={"k": "v"}))["properties"]["ipAddress"]
        assert again == first, "an update keeps the address"
        delete_done(arm, pip_path(rg, "a"))
        assert put_done(arm, pip_path(rg, "c"), STANDARD)["properties"]["ipAddress"] == first

    def test_ipv6_comes_from_its_own_pool(self, arm, rg):
        body = {"location": "eastus", "sku": {"name": "Standard"},
                "properties": {"publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv6"}}
        got = put_done(arm, pip_path(rg, "v6"), body)["properties"]["ipAddress"]
        assert ipaddress.ip_address(got) in addresses.PUBLIC_POOLS["IPv6"]

    def test_allocation_helpers(self):
        first = addresses.allocate_public("IPv4", [])
        assert ipaddress.ip_address(first) in POOL and int(ipaddress.ip_address(first)) % 256 not in (0, 255)
        assert addresses.allocate_public("IPv4", []) == first, "the same used set gives the same answer"
        second = addresses.allocate_public("IPv4", [first])
        assert second != first and ipaddress.ip_address(second) in POOL
        everything_but_one = [str(a) for a in POOL if a != ipaddress.ip_address(second)]
        assert addresses.allocate_public("IPv4", everything_but_one) == second, "the search wraps around"
        assert addresses.allocate_public("IPv4", [str(a) for a in POOL]) is None


class TestRules:
    @pytest.mark.parametrize("body, code", [
        ({"sku": {"name": "Standard"}}, "StandardSkuPublicIPAddressesMustBeStatic"),
        ({"sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Dynamic"}},
         "StandardSkuPublicIPAddressesMustBeStatic"),
        ({"properties": {"idleTimeoutInMinutes": 31}}, "PublicIPIdleTimeoutIsOutOfRange"),
        ({"properties": {"idleTimeoutInMinutes": 3}}, "PublicIPIdleTimeoutIsOutOfRange"),
        ({"properties": {"dnsSettings": {"domainNameLabel": "Bad_Label"}}}, "InvalidDomainNameLabel"),
        ({"sku": {"name": "Premium"}}, "InvalidRequestFormat"),
        ({"zones": ["4"]}, "InvalidRequestFormat"),
    ])
    def test_refused_bodies(self, arm, rg, body, code):
        resp = arm.put(pip_path(rg, "bad"), dict({"location": "eastus"}, **body))
        assert error_of(resp)[0] == code
        assert arm.get(pip_path(rg, "bad")).status == 404

    def test_dns_label_is_unique_per_region_and_gives_the_fqdn(self, arm, rg):
        label = f"app-{rg}"
        body = dict(STANDARD, properties={"publicIPAllocationMethod": "Static", "dnsSettings": {"domainNameLabel": label}})
        got = put_done(arm, pip_path(rg, "one"), body)
        assert got["properties"]["dnsSettings"]["fqdn"] == f"{label}.eastus.cloudapp.azure.com"
        code, message = error_of(arm.put(pip_path(rg, "two"), body))
        assert code == "DnsRecordInUse" and label in message
        assert put_done(arm, pip_path(rg, "three"), dict(body, location="westus"))["properties"]["dnsSettings"]["fqdn"] \
            == f"{label}.westus.cloudapp.azure.com"
        assert put_done(arm, pip_path(rg, "one"), body)["properties"]["dnsSettings"]["fqdn"], "its own label is no clash"

    def test_zones_cannot_change_and_standard_cannot_become_basic(self, arm, rg):
        put_done(arm, pip_path(rg, "z"), dict(STANDARD, zones=["1", "2", "3"]))
        assert error_of(arm.put(pip_path(rg, "z"), dict(STANDARD, zones=["1"])))[0] == \
            "ResourceAvailabilityZonesCannotBeModified"
        assert error_of(arm.put(pip_path(rg, "z"), dict(STANDARD, zones=["1", "2", "3"], sku={"name": "Basic"})))[0] \
            == "PublicIPSkuCannotBeDowngraded"


class TestUsers:
    def test_nic_ip_configuration_is_shown_and_blocks_the_delete(self, arm, rg):
        pip = put_done(arm, pip_path(rg, "used"), STANDARD)
        vnet = put_done(arm, path_of(rg, "virtualNetworks", "vnet"), vnet_body())
        subnet = vnet["properties"]["subnets"][0]["id"]
        nic = put_done(arm, path_of(rg, "networkInterfaces", "nic"), nic_body(subnet, publicIPAddress={"id": pip["id"]}))
        ipconfig = nic["properties"]["ipConfigurations"][0]["id"]
        assert arm.get(pip_path(rg, "used")).body["properties"]["ipConfiguration"] == {"id": ipconfig}

        code, message = error_of(arm.delete(pip_path(rg, "used")))
        assert code == "PublicIPAddressCannotBeDeleted"
        assert pip["id"] in message and ipconfig in message
        assert arm.get(pip_path(rg, "used")).status == 200

        delete_done(arm, path_of(rg, "networkInterfaces", "nic"))
        assert "ipConfiguration" not in arm.get(pip_path(rg, "used")).body["properties"]
        delete_done(arm, pip_path(rg, "used"))

    def test_load_balancer_frontend_is_shown_and_blocks_the_delete(self, arm, rg):
        pip = put_done(arm, pip_path(rg, "lbip"), STANDARD)
        lb = put_done(arm, path_of(rg, "loadBalancers", "lb"), {
            "location": "eastus", "sku": {"name": "Standard"},
            "properties": {"frontendIPConfigurations": [{"name": "fe", "properties": {"publicIPAddress": {"id": pip["id"]}}}]}})
        frontend = lb["properties"]["frontendIPConfigurations"][0]["id"]
        assert arm.get(pip_path(rg, "lbip")).body["properties"]["ipConfiguration"] == {"id": frontend}
        code, message = error_of(arm.delete(pip_path(rg, "lbip")))
        assert code == "PublicIPAddressCannotBeDeleted" and frontend in message
        delete_done(arm, path_of(rg, "loadBalancers", "lb"))
        delete_done(arm, pip_path(rg, "lbip"))
        assert id_of(arm, rg, "publicIPAddresses", "lbip").lower() == pip["id"].lower()

"""Microsoft.Network/networkInterfaces over real HTTPS: shapes against Azure's examples, private
address allocation, references and back-references, the primary ip configuration, the
ipConfigurations child routes and what blocks a delete."""

from __future__ import annotations

import copy
import json
import os
import re
import time
from pathlib import Path

import pytest

from reference import assert_covers

REFERENCE = Path(os.environ.get("AZURE_REFERENCE_DIR")
                 or Path(__file__).resolve().parents[2].parent / "shared" / "azure-reference")
EXAMPLES = REFERENCE / "specs/network"
NETWORK = "/providers/Microsoft.Network"
MAC_RE = re.compile(r"^00-0D-3A(-[0-9A-F]{2}){3}$")


def example(relative: str):
    path = EXAMPLES / relative
    if not path.exists():
        pytest.skip(f"Azure reference data not found at {path} (set AZURE_REFERENCE_DIR)")
    return json.loads(path.read_text())


def finish(arm, resp):
    url = resp.headers.get("Azure-AsyncOperation")
    assert url, resp
    for _ in range(100):
        status = arm.follow(url)
        if status.body["status"] != "InProgress":
            return status.body
        time.sleep(0.05)
    raise AssertionError(f"operation {url} never finished")


def put_done(arm, path, body):
    resp = arm.put(path, body)
    assert resp.status in (200, 201), resp
    assert finish(arm, resp) == {"status": "Succeeded"}
    return arm.get(path).body


def path_of(rg, kind, name, *child):
    return "/".join([f"/resourceGroups/{rg}{NETWORK}/{kind}/{name}", *child])


def id_of(arm, rg, kind, name, *child):
    return f"/subscriptions/{arm.sub}{path_of(rg, kind, name, *child)}"


def make_vnet(arm, rg, subnets=(("default", "10.0.0.0/24"),), name="vnet", space="10.0.0.0/16"):
    put_done(arm, path_of(rg, "virtualNetworks", name), {
        "location": "eastus",
        "properties": {"addressSpace": {"addressPrefixes": [space]},
                       "subnets": [{"name": n, "properties": {"addressPrefix": p}} for n, p in subnets]}})
    return {n: id_of(arm, rg, "virtualNetworks", name, "subnets", n) for n, _p in subnets}


def nic_body(subnet_id, **ipconfig):
    return {"location": "eastus", "properties": {"ipConfigurations": [
        {"name": "ipconfig1", "properties": dict({"subnet": {"id": subnet_id}}, **ipconfig)}]}}


def make_nic(arm, rg, name, subnet_id, **ipconfig):
    return put_done(arm, path_of(rg, "networkInterfaces", name), nic_body(subnet_id, **ipconfig))


def address(nic, index=0):
    return nic["properties"]["ipConfigurations"][index]["properties"]["privateIPAddress"]


def retarget(value, arm, rg):
    """An example body with its ids pointing into our subscription and group."""
    text = json.dumps(value).replace("/subscriptions/subid/", f"/subscriptions/{arm.sub}/")
    return json.loads(re.sub(r"/resourceGroups/(rg1|testrg)/", f"/resourceGroups/{rg}/", text))


def make_vm(arm, rg, name, nic_ids):
    body = {"location": "eastus", "properties": {
        "hardwareProfile": {"vmSize": "Standard_B1s"},
        "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                                              "sku": "server", "version": "latest"},
                           "osDisk": {"createOption": "FromImage", "deleteOption": "Delete",
                                      "managedDisk": {"storageAccountType": "Standard_LRS"}}},
        "osProfile": {"computerName": name, "adminUsername": "azureuser", "adminPassword": "Secret-Passw0rd!"},
        "networkProfile": {"networkInterfaces": [{"id": n, "properties": {"primary": i == 0}}
                                                 for i, n in enumerate(nic_ids)]}}}
    resp = arm.put(f"/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}", body,
                   api_version="2024-07-01")
    assert resp.status == 201, resp
    return resp.body["id"]


class TestAgainstAzureExamples:
    def test_create(self, arm, rg):
        doc = retarget(example("2024-05-01/examples/NetworkInterfaceCreate.json"), arm, rg)
        make_vnet(arm, rg, (("default", "172.20.2.0/24"),), name="rg1-vnet", space="172.20.0.0/16")
        put_done(arm, path_of(rg, "publicIPAddresses", "test-ip"),
                 {"location": "eastus", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}})
        resp = arm.put(path_of(rg, "networkInterfaces", "test-nic"), doc["parameters"]["parameters"])
        assert resp.status == 201, resp
        assert_covers(resp.body, doc["responses"]["201"]["body"], ignore=("provisioningState",))
        assert finish(arm, resp) == {"status": "Succeeded"}
        got = arm.get(path_of(rg, "networkInterfaces", "test-nic")).body
        want = doc["responses"]["201"]["body"]
        assert_covers(got, want)
        assert [(c["name"], c["properties"]["primary"], c["properties"]["privateIPAddress"],
                 c["properties"]["subnet"]["id"].lower()) for c in got["properties"]["ipConfigurations"]] == [
            (c["name"], c["properties"]["primary"], c["properties"]["privateIPAddress"],
             c["properties"]["subnet"]["id"].lower()) for c in want["properties"]["ipConfigurations"]]
        again = arm.put(path_of(rg, "networkInterfaces", "test-nic"), doc["parameters"]["parameters"])
        assert again.status == 200, again
        assert_covers(again.body, doc["responses"]["200"]["body"], ignore=("provisioningState",))

    def test_get_with_a_vm(self, arm, rg):
        want = retarget(example("2024-05-01/examples/NetworkInterfaceGet.json"), arm, rg)["responses"]["200"]["body"]
        subnet = make_vnet(arm, rg)["default"]
        put_done(arm, path_of(rg, "networkSecurityGroups", "nsg"), {"location": "eastus"})
        pip = put_done(arm, path_of(rg, "publicIPAddresses", "test-ip"), {
            "location": "eastus", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}})
        body = nic_body(subnet, publicIPAddress={"id": pip["id"]})
        body["properties"]["networkSecurityGroup"] = {"id": id_of(arm, rg, "networkSecurityGroups", "nsg")}
        nic = put_done(arm, path_of(rg, "networkInterfaces", "test-nic"), body)
        assert "macAddress" not in nic["properties"] and "virtualMachine" not in nic["properties"]
        vm_id = make_vm(arm, rg, "vm1", [nic["id"]])
        got = arm.get(path_of(rg, "networkInterfaces", "test-nic")).body
        # azemu has no DSCP configurations, no internal DNS suffix and one ip configuration here.
        assert_covers(got, want, ignore=("dscpConfiguration", "internalDomainNameSuffix", "disableTcpStateTracking"))
        props = got["properties"]
        assert (props["virtualMachine"], props["primary"]) == ({"id": vm_id}, True)
        assert MAC_RE.match(props["macAddress"]), props["macAddress"]

    def test_ip_configuration_get(self, arm, rg):
        want = retarget(example("2024-03-01/examples/NetworkInterfaceIPConfigurationGet.json"), arm, rg)
        want = want["responses"]["200"]["body"]
        subnet = make_vnet(arm, rg)["default"]
        pool, nat = lb_with_pool_and_nat_rule(arm, rg, subnet)
        make_nic(arm, rg, "mynic", subnet, loadBalancerBackendAddressPools=[{"id": pool}],
                 loadBalancerInboundNatRules=[{"id": nat}])
        got = arm.get(path_of(rg, "networkInterfaces", "mynic", "ipConfigurations", "IPCONFIG1"))
        assert got.status == 200, got
        assert got.headers.get("ETag") == got.body["etag"]
        assert_covers(got.body, want, ignore=("virtualNetworkTaps",))
        assert got.body["properties"]["loadBalancerBackendAddressPools"] == [{"id": pool}]
        assert got.body["properties"]["loadBalancerInboundNatRules"] == [{"id": nat}]


def lb_with_pool_and_nat_rule(arm, rg, subnet):
    """An internal load balancer `lb` with pool `pool` and inbound NAT rule `nat`: (pool id, rule id)."""
    lb_id = id_of(arm, rg, "loadBalancers", "lb")
    put_done(arm, path_of(rg, "loadBalancers", "lb"), {"location": "eastus", "sku": {"name": "Standard"}, "properties": {
        "frontendIPConfigurations": [{"name": "fe", "properties": {"subnet": {"id": subnet}}}],
        "backendAddressPools": [{"name": "pool"}],
        "inboundNatRules": [{"name": "nat", "properties": {
            "frontendIPConfiguration": {"id": f"{lb_id}/frontendIPConfigurations/fe"},
            "protocol": "Tcp", "frontendPort": 50001, "backendPort": 22}}]}})
    return f"{lb_id}/backendAddressPools/pool", f"{lb_id}/inboundNatRules/nat"


class TestPrivateAddresses:
    def test_lowest_free_from_the_fourth_and_released_on_delete(self, arm, rg):
        subnet = make_vnet(arm, rg)["default"]
        assert [address(make_nic(arm, rg, f"nic{i}", subnet)) for i in range(3)] == ["10.0.0.4", "10.0.0.5", "10.0.0.6"]
        resp = arm.delete(path_of(rg, "networkInterfaces", "nic0"))
        assert resp.status == 202, resp
        assert arm.follow(resp.headers["Location"]).status == 204
        assert address(make_nic(arm, rg, "nic3", subnet)) == "10.0.0.4"
        assert address(make_nic(arm, rg, "nic4", subnet)) == "10.0.0.7"

    def test_static_addresses(self, arm, rg):
        subnet = make_vnet(arm, rg)["default"]
        nic = make_nic(arm, rg, "fixed", subnet, privateIPAllocationMethod="static", privateIPAddress="10.0.0.4")
        config = nic["properties"]["ipConfigurations"][0]["properties"]
        assert (config["privateIPAllocationMethod"], config["privateIPAddress"]) == ("Static", "10.0.0.4")
        assert address(make_nic(arm, rg, "next", subnet)) == "10.0.0.5", "dynamic allocation skips a static address"

        def refused(name, ip):
            resp = arm.put(path_of(rg, "networkInterfaces", name),
                           nic_body(subnet, privateIPAllocationMethod="Static", privateIPAddress=ip))
            assert resp.status == 400, resp
            return resp.body["error"]

        error = refused("taken", "10.0.0.4")
        assert error["code"] == "PrivateIPAddressIsAllocated"
        assert error["message"] == (
            f"IP configuration {id_of(arm, rg, 'networkInterfaces', 'taken', 'ipConfigurations', 'ipconfig1')} is using "
            f"the private IP address 10.0.0.4 which is already allocated to resource "
            f"{id_of(arm, rg, 'networkInterfaces', 'fixed', 'ipConfigurations', 'ipconfig1')}.")
        assert refused("out", "10.0.1.9")["code"] == "PrivateIPAddressNotInSubnet"
        for reserved in ("10.0.0.0", "10.0.0.3", "10.0.0.255"):
            assert refused("reserved", reserved)["code"] == "PrivateIPAddressInReservedRange"
        assert refused("garbage", "10.0.0.x")["code"] == "InvalidPrivateIPAddress"
        assert arm.get(path_of(rg, "networkInterfaces", "taken")).status == 404, "a refused create stores nothing"

    def test_dynamic_address_stays_until_the_subnet_changes(self, arm, rg):
        subnets = make_vnet(arm, rg, (("a", "10.0.0.0/24"), ("b", "10.0.1.0/24")))
        make_nic(arm, rg, "first", subnets["a"])
        nic = make_nic(arm, rg, "second", subnets["a"])
        assert address(nic) == "10.0.0.5"
        arm.delete(path_of(rg, "networkInterfaces", "first"))
        echoed = copy.deepcopy(nic)
        echoed["tags"] = {"changed": "yes"}
        assert address(put_done(arm, path_of(rg, "networkInterfaces", "second"), echoed)) == "10.0.0.5"
        moved = copy.deepcopy(echoed)
        moved["properties"]["ipConfigurations"][0]["properties"]["subnet"] = {"id": subnets["b"]}
        assert address(put_done(arm, path_of(rg, "networkInterfaces", "second"), moved)) == "10.0.1.4"

    def test_a_full_subnet(self, arm, rg):
        subnet = make_vnet(arm, rg, (("tiny", "10.0.0.0/29"),))["tiny"]
        assert [address(make_nic(arm, rg, f"nic{i}", subnet)) for i in range(3)] == ["10.0.0.4", "10.0.0.5", "10.0.0.6"]
        resp = arm.put(path_of(rg, "networkInterfaces", "nic3"), nic_body(subnet))
        assert resp.status == 400 and resp.body["error"]["code"] == "SubnetIsFull", resp

    def test_prefix_blocks_are_aligned_and_counted_as_taken(self, arm, rg):
        subnet = make_vnet(arm, rg)["default"]
        body = nic_body(subnet)
        body["properties"]["ipConfigurations"].append({"name": "block", "properties": {"privateIPAddressPrefixLength": 28}})
        nic = put_done(arm, path_of(rg, "networkInterfaces", "blocky"), body)
        assert (address(nic, 0), address(nic, 1)) == ("10.0.0.4", "10.0.0.16/28")
        resp = arm.put(path_of(rg, "networkInterfaces", "inside"),
                       nic_body(subnet, privateIPAllocationMethod="Static", privateIPAddress="10.0.0.20"))
        assert resp.status == 400 and resp.body["error"]["code"] == "PrivateIPAddressIsAllocated", resp


class TestReferences:
    @pytest.mark.parametrize("where, kind, name", [
        ("subnet", "virtualNetworks", "vnet/subnets/nosuch"),
        ("networkSecurityGroup", "networkSecurityGroups", "nosuch"),
        ("publicIPAddress", "publicIPAddresses", "nosuch"),
        ("loadBalancerBackendAddressPools", "loadBalancers", "nolb/backendAddressPools/pool"),
        ("loadBalancerInboundNatRules", "loadBalancers", "nolb/inboundNatRules/nat"),
    ])
    def test_missing_reference(self, arm, rg, where, kind, name):
        subnet = make_vnet(arm, rg)["default"]
        missing = id_of(arm, rg, kind, name)
        body = nic_body(subnet)
        if where == "networkSecurityGroup":
            body["properties"][where] = {"id": missing}
        elif where.startswith("loadBalancer"):
            body["properties"]["ipConfigurations"][0]["properties"][where] = [{"id": missing}]
        else:
            body["properties"]["ipConfigurations"][0]["properties"][where] = {"id": missing}
        resp = arm.put(path_of(rg, "networkInterfaces", "nic"), body)
        assert resp.status == 400, resp
        assert resp.body["error"] == {
            "code": "InvalidResourceReference",
            "message": f"Resource {missing} referenced by resource {id_of(arm, rg, 'networkInterfaces', 'nic')} was not "
                       "found. Please make sure that the referenced resource exists, and that both resources are in the "
                       "same region."}

    def test_a_reference_of_the_wrong_type_is_not_found_either(self, arm, rg):
        make_vnet(arm, rg)
        put_done(arm, path_of(rg, "networkSecurityGroups", "nsg"), {"location": "eastus"})
        resp = arm.put(path_of(rg, "networkInterfaces", "nic"), nic_body(id_of(arm, rg, "networkSecurityGroups", "nsg")))
        assert resp.status == 400 and resp.body["error"]["code"] == "InvalidResourceReference", resp

    def test_back_references(self, arm, rg):
        subnet = make_vnet(arm, rg)["default"]
        pip = put_done(arm, path_of(rg, "publicIPAddresses", "pip"), {
            "location": "eastus", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}})
        nsg = put_done(arm, path_of(rg, "networkSecurityGroups", "nsg"), {"location": "eastus"})
        pool, _nat = lb_with_pool_and_nat_rule(arm, rg, subnet)
        body = nic_body(subnet, publicIPAddress={"id": pip["id"]}, loadBalancerBackendAddressPools=[{"id": pool}])
        body["properties"]["networkSecurityGroup"] = {"id": nsg["id"]}
        nic = put_done(arm, path_of(rg, "networkInterfaces", "nic"), body)
        config_id = nic["properties"]["ipConfigurations"][0]["id"]
        assert config_id == id_of(arm, rg, "networkInterfaces", "nic", "ipConfigurations", "ipconfig1")

        subnet_doc = arm.get(path_of(rg, "virtualNetworks", "vnet", "subnets", "default")).body
        assert {"id": config_id} in subnet_doc["properties"]["ipConfigurations"]
        assert arm.get(path_of(rg, "publicIPAddresses", "pip")).body["properties"]["ipConfiguration"] == {"id": config_id}
        assert arm.get(path_of(rg, "networkSecurityGroups", "nsg")).body["properties"]["networkInterfaces"] == [
            {"id": nic["id"]}]
        pool_doc = arm.get(path_of(rg, "loadBalancers", "lb", "backendAddressPools", "pool")).body
        assert pool_doc["properties"]["backendIPConfigurations"] == [{"id": config_id}]

        second = arm.put(path_of(rg, "networkInterfaces", "other"),
                         nic_body(subnet, publicIPAddress={"id": pip["id"]}))
        assert second.status == 400 and second.body["error"]["code"] == "PublicIPAddressInUse", second

    def test_what_a_nic_uses_cannot_be_deleted(self, arm, rg):
        subnet = make_vnet(arm, rg)["default"]
        nsg = put_done(arm, path_of(rg, "networkSecurityGroups", "nsg"), {"location": "eastus"})
        body = nic_body(subnet)
        body["properties"]["networkSecurityGroup"] = {"id": nsg["id"]}
        put_done(arm, path_of(rg, "networkInterfaces", "nic"), body)
        for path, code in ((path_of(rg, "networkSecurityGroups", "nsg"), "InUseNetworkSecurityGroupCannotBeDeleted"),
                           (path_of(rg, "virtualNetworks", "vnet", "subnets", "default"), "InUseSubnetCannotBeDeleted"),
                           (path_of(rg, "virtualNetworks", "vnet"), "InUseSubnetCannotBeDeleted")):
            resp = arm.delete(path)
            assert resp.status == 400 and resp.body["error"]["code"] == code, resp


class TestPrimaryAndChildren:
    def test_first_is_primary_unless_one_is_marked(self, arm, rg):
        subnet = make_vnet(arm, rg)["default"]
        body = {"location": "eastus", "properties": {"ipConfigurations": [
            {"name": "ipconfig1", "properties": {}},
            {"name": "second", "properties": {"primary": True, "subnet": {"id": subnet}}}]}}
        nic = put_done(arm, path_of(rg, "networkInterfaces", "nic"), body)
        assert [(c["name"], c["properties"]["primary"]) for c in nic["properties"]["ipConfigurations"]] == [
            ("ipconfig1", False), ("second", True)]
        assert nic["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"] == subnet

        both = copy.deepcopy(body)
        both["properties"]["ipConfigurations"][0]["properties"]["primary"] = True
        resp = arm.put(path_of(rg, "networkInterfaces", "two"), both)
        assert resp.status == 400 and resp.body["error"]["code"] == "NetworkInterfaceMustHaveOneOneIPConfigAsPrimary"

        dropped = copy.deepcopy(nic)
        dropped["properties"]["ipConfigurations"] = dropped["properties"]["ipConfigurations"][:1]
        resp = arm.put(path_of(rg, "networkInterfaces", "nic"), dropped)
        assert resp.status == 400 and resp.body["error"]["code"] == "IpConfigDeleteNotSupported", resp
        assert resp.body["error"]["message"].startswith("IP Configuration second cannot be deleted.")

        resp = arm.put(path_of(rg, "networkInterfaces", "none"), {"location": "eastus", "properties": {}})
        assert resp.status == 400, resp
        no_subnet = {"location": "eastus", "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {}}]}}
        resp = arm.put(path_of(rg, "networkInterfaces", "none"), no_subnet)
        assert resp.status == 400 and "must reference a subnet" in resp.body["error"]["message"], resp

    def test_child_routes(self, arm, rg):
        subnet = make_vnet(arm, rg)["default"]
        body = nic_body(subnet)
        body["properties"]["ipConfigurations"].append({"name": "two", "properties": {}})
        nic = put_done(arm, path_of(rg, "networkInterfaces", "nic"), body)
        listed = arm.get(path_of(rg, "networkInterfaces", "nic", "ipConfigurations"))
        assert listed.status == 200 and [c["name"] for c in listed.body["value"]] == ["ipconfig1", "two"]
        assert listed.body["value"] == nic["properties"]["ipConfigurations"]
        one = arm.get(path_of(rg, "networkInterfaces", "NIC", "ipconfigurations", "Two"))
        assert one.status == 200 and one.body == nic["properties"]["ipConfigurations"][1]
        missing = arm.get(path_of(rg, "networkInterfaces", "nic", "ipConfigurations", "nosuch"))
        assert missing.status == 404, missing
        assert arm.delete(path_of(rg, "networkInterfaces", "nic", "ipConfigurations", "two")).status == 405
        assert arm.get(path_of(rg, "networkInterfaces", "nosuch", "ipConfigurations")).status == 404


class TestVirtualMachines:
    def test_attached_nic_shows_its_vm_and_cannot_be_deleted(self, arm, rg):
        subnet = make_vnet(arm, rg)["default"]
        first = make_nic(arm, rg, "nic1", subnet)
        second = make_nic(arm, rg, "nic2", subnet)
        vm_id = make_vm(arm, rg, "vm1", [first["id"], second["id"]])
        views = [arm.get(path_of(rg, "networkInterfaces", n)).body["properties"] for n in ("nic1", "nic2")]
        assert [(v["virtualMachine"]["id"], v["primary"]) for v in views] == [(vm_id, True), (vm_id, False)]
        assert views[0]["macAddress"] != views[1]["macAddress"]
        assert arm.get(path_of(rg, "networkInterfaces", "nic1")).body["properties"]["macAddress"] == views[0]["macAddress"]

        resp = arm.delete(path_of(rg, "networkInterfaces", "nic1"))
        assert resp.status == 400, resp
        assert resp.body["error"] == {"code": "NicInUse", "message": (
            f"Network Interface {first['id']} is used by existing resource {vm_id}. In order to delete the network "
            "interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.")}

        echoed = arm.get(path_of(rg, "networkInterfaces", "nic1")).body
        assert put_done(arm, path_of(rg, "networkInterfaces", "nic1"), echoed)["properties"]["virtualMachine"] == {
            "id": vm_id}, "a client may PUT back what it read, read-only fields included"


class TestWhatAzureFillsIn:
    def test_every_nic_shows_azures_defaults_and_its_vnets_dns_suffix(self, arm, rg):
        """As the azure-cli recordings show every NIC (test_vm_create_existing_nic.yaml)."""
        subnets = make_vnet(arm, rg, subnets=(("a", "10.0.0.0/24"), ("b", "10.0.1.0/24")))
        nics = [make_nic(arm, rg, "nic1", subnets["a"]), make_nic(arm, rg, "nic2", subnets["b"])]
        other = make_nic(arm, rg, "nic3", make_vnet(arm, rg, name="vnet2")["default"])
        props = nics[0]["properties"]
        assert {k: props[k] for k in ("nicType", "auxiliaryMode", "auxiliarySku", "disableTcpStateTracking",
                                      "hostedWorkloads", "tapConfigurations", "allowPort25Out")} == {
            "nicType": "Standard", "auxiliaryMode": "None", "auxiliarySku": "None", "disableTcpStateTracking": False,
            "hostedWorkloads": [], "tapConfigurations": [], "allowPort25Out": True}
        assert nics[0]["kind"] == "Regular"
        suffixes = [n["properties"]["dnsSettings"]["internalDomainNameSuffix"] for n in (*nics, other)]
        assert re.fullmatch(r"[a-z0-9]{26}\.[a-z]{2}\.internal\.cloudapp\.net", suffixes[0]), suffixes
        assert suffixes[0] == suffixes[1] != suffixes[2], "one suffix per virtual network"

        echoed = copy.deepcopy(nics[0])
        echoed["properties"].update(nicType="elastic", disableTcpStateTracking=True)
        echoed["properties"]["dnsSettings"]["internalDomainNameSuffix"] = "mine.internal.cloudapp.net"
        again = put_done(arm, path_of(rg, "networkInterfaces", "nic1"), echoed)["properties"]
        assert (again["nicType"], again["disableTcpStateTracking"]) == ("Elastic", True)
        assert again["dnsSettings"]["internalDomainNameSuffix"] == suffixes[0]
        refused = arm.put(path_of(rg, "networkInterfaces", "nic1"),
                          dict(echoed, properties=dict(echoed["properties"], auxiliarySku="A3")))
        assert refused.status == 400, refused

    def test_an_ipv6_configuration_without_a_subnet_on_an_ipv4_subnet(self, arm, rg):
        """`az network nic ip-config create --private-ip-address-version IPv6` on an IPv4-only VNet:
        Azure keeps the configuration without a subnet and an address (the recorded PUT 200)."""
        subnet = make_vnet(arm, rg)["default"]
        body = nic_body(subnet)
        body["properties"]["ipConfigurations"].append(
            {"name": "v6", "properties": {"privateIPAddressVersion": "IPv6", "privateIPAllocationMethod": "Dynamic"}})
        nic = put_done(arm, path_of(rg, "networkInterfaces", "nic"), body)
        v6 = nic["properties"]["ipConfigurations"][1]["properties"]
        assert "subnet" not in v6 and "privateIPAddress" not in v6 and v6["privateIPAddressVersion"] == "IPv6"
        again = put_done(arm, path_of(rg, "networkInterfaces", "nic"), nic)["properties"]["ipConfigurations"][1]
        assert again["properties"] == v6, "a client may PUT back what it read"

        given = copy.deepcopy(body)
        given["properties"]["ipConfigurations"][1]["properties"]["subnet"] = {"id": subnet}
        named_subnet = arm.put(path_of(rg, "networkInterfaces", "nic2"), given)
        assert named_subnet.status == 400 and "no IPv6 address prefix" in named_subnet.body["error"]["message"]
        v4 = copy.deepcopy(body)
        v4["properties"]["ipConfigurations"][1]["properties"]["privateIPAddressVersion"] = "IPv4"
        both = put_done(arm, path_of(rg, "networkInterfaces", "nic3"), v4)
        assert both["properties"]["ipConfigurations"][1]["properties"]["subnet"] == {"id": subnet}
        assert (address(both), address(both, 1)) == ("10.0.0.5", "10.0.0.6"), "an IPv4 one takes the primary's subnet"

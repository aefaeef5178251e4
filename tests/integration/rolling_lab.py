"""The tutorial's load-balanced VMs, built with the plain SDK for the inventory and rolling
maintenance tests, and what those tests read from azemu's data plane.

Built with the SDK rather than the roles so that a test depends on azemu and on what it tests
only, and a pool of six VMs is ready in seconds.
"""

from __future__ import annotations

import base64
import os
import time
from dataclasses import dataclass, field

import requests

LOCATION = "eastus"
LB = "myLoadBalancer"
POOL = "myBackEndPool"
RULE = "myHTTPRule"
PROBE = "myHealthProbe"
NSG = "myNetworkSecurityGroup"
# cloud-init carrying the tutorial's app: azemu serves "Hello World from host <name>!" for it.
APP = """#cloud-config
package_upgrade: true
packages: [nginx, nodejs, npm]
write_files:
  - path: /home/azureuser/myapp/index.js
    content: |
      var os = require('os');
      require('express')().get('/', function (req, res) {
        res.send('Hello World from host ' + os.hostname() + '!')
      }).listen(3000)
"""


@dataclass
class Lab:
    azemu: object
    group: str
    vms: list[str]
    nics: dict[str, str]
    subscription: str
    probe_interval: int
    probe_threshold: int
    extra: dict = field(default_factory=dict)

    @property
    def base(self):
        return f"/subscriptions/{self.subscription}/resourceGroups/{self.group}/providers/Microsoft.Network"

    @property
    def lb_id(self):
        return f"{self.base}/loadBalancers/{LB}"

    @property
    def pool_id(self):
        return f"{self.lb_id}/backendAddressPools/{POOL}"

    def ipconfig_id(self, vm):
        return f"{self.base}/networkInterfaces/{self.nics[vm]}/ipConfigurations/ipconfig1"

    def dataplane(self):
        return dataplane(self.azemu)

    def frontend(self):
        """(address, port) clients connect to."""
        status = self.dataplane()
        for frontend in status["frontends"]:
            if frontend["rule"].lower() == f"{self.lb_id}/loadBalancingRules/{RULE}".lower():
                return frontend["address"], frontend["listen_port"]
        raise AssertionError(f"no frontend for {self.lb_id} in {status}")

    def serving(self, status=None):
        """The VMs the load balancer sends new connections to now: in the pool and probed Up."""
        status = status or self.dataplane()
        by_backend = {b["id"].lower(): b["vm"] for b in status["backends"]}
        probe = f"{self.lb_id}/probes/{PROBE}".lower()
        return sorted(by_backend.get(p["backend"].lower()) for p in status["probes"]
                      if p["probe"].lower() == probe and p["state"] == "Up")

    def wait_serving(self, count=None, timeout=120):
        """Wait until `count` (default: all) VMs serve; returns them."""
        count = len(self.vms) if count is None else count
        deadline = time.monotonic() + timeout
        while True:
            serving = self.serving()
            if len(serving) >= count:
                return serving
            if time.monotonic() > deadline:
                raise AssertionError(f"only {serving} serve after {timeout} s; {self.dataplane()}")
            time.sleep(0.2)


def dataplane(azemu):
    response = requests.get(f"{azemu.url}/_azemu/dataplane", verify=azemu.info["ca_file"], timeout=30)
    response.raise_for_status()
    return response.json()


def build(azemu, sdk, group, vms=3, probe_interval=5, probe_threshold=2, public_ip_on=()):
    """A resource group with the tutorial's network, Standard load balancer (HTTP probe on /,
    rule 80 -> 80), availability set (3 fault, 2 update domains) and `vms` VMs myVM1.. on NICs
    myNic1.. in the pool, serving the app. VMs named in `public_ip_on` get a public IP of their
    own. Returns a Lab once the VMs run (not necessarily probed up yet)."""
    from azure.mgmt.compute import ComputeManagementClient

    net = sdk.network
    compute = sdk.client(ComputeManagementClient)
    subscription = sdk.env["AZURE_SUBSCRIPTION_ID"]
    base = f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network"
    lb = f"{base}/loadBalancers/{LB}"
    sdk.resource.resource_groups.create_or_update(group, {"location": LOCATION})
    net.virtual_networks.begin_create_or_update(group, "myVnet", {"location": LOCATION, "properties": {
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "mySubnet", "properties": {"addressPrefix": "10.0.0.0/24"}}]}}).result()
    net.network_security_groups.begin_create_or_update(group, NSG, {"location": LOCATION, "properties": {
        "securityRules": [{"name": "myNetworkSecurityGroupRule", "properties": {
            "protocol": "Tcp", "direction": "Inbound", "access": "Allow", "priority": 1001,
            "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*",
            "destinationPortRange": "80"}}]}}).result()
    net.public_ip_addresses.begin_create_or_update(group, "myPublicIP", {
        "location": LOCATION, "sku": {"name": "Standard"},
        "properties": {"publicIPAllocationMethod": "Static"}}).result()
    net.load_balancers.begin_create_or_update(group, LB, {
        "location": LOCATION, "sku": {"name": "Standard"}, "properties": {
            "frontendIPConfigurations": [{"name": "myFrontEnd", "properties": {
                "publicIPAddress": {"id": f"{base}/publicIPAddresses/myPublicIP"}}}],
            "backendAddressPools": [{"name": POOL}],
            "probes": [{"name": PROBE, "properties": {
                "protocol": "Http", "port": 80, "requestPath": "/", "intervalInSeconds": probe_interval,
                "probeThreshold": probe_threshold}}],
            "loadBalancingRules": [{"name": RULE, "properties": {
                "protocol": "Tcp", "frontendPort": 80, "backendPort": 80,
                "frontendIPConfiguration": {"id": f"{lb}/frontendIPConfigurations/myFrontEnd"},
                "backendAddressPool": {"id": f"{lb}/backendAddressPools/{POOL}"},
                "probe": {"id": f"{lb}/probes/{PROBE}"}}}]}}).result()
    compute.availability_sets.create_or_update(group, "myAvailabilitySet", {
        "location": LOCATION, "sku": {"name": "Aligned"},
        "properties": {"platformFaultDomainCount": 3, "platformUpdateDomainCount": 2}})
    key = "ssh-rsa " + base64.b64encode(os.urandom(64)).decode()
    names = [f"myVM{i}" for i in range(1, vms + 1)]
    nics = {vm: f"myNic{vm[4:]}" for vm in names}
    pollers = []
    for vm in names:
        config = {"subnet": {"id": f"{base}/virtualNetworks/myVnet/subnets/mySubnet"},
                  "loadBalancerBackendAddressPools": [{"id": f"{lb}/backendAddressPools/{POOL}"}]}
        if vm in public_ip_on:
            pip = net.public_ip_addresses.begin_create_or_update(group, f"{vm}PublicIP", {
                "location": LOCATION, "sku": {"name": "Standard"},
                "properties": {"publicIPAllocationMethod": "Static"}}).result()
            config["publicIPAddress"] = {"id": pip.id}
        net.network_interfaces.begin_create_or_update(group, nics[vm], {"location": LOCATION, "properties": {
            "networkSecurityGroup": {"id": f"{base}/networkSecurityGroups/{NSG}"},
            "ipConfigurations": [{"name": "ipconfig1", "properties": config}]}}).result()
        pollers.append(compute.virtual_machines.begin_create_or_update(group, vm, {
            "location": LOCATION, "properties": {
                "hardwareProfile": {"vmSize": "Standard_B1s"},
                "availabilitySet": {"id": f"/subscriptions/{subscription}/resourceGroups/{group}/providers/"
                                          "Microsoft.Compute/availabilitySets/myAvailabilitySet"},
                "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                                                      "sku": "server", "version": "latest"}},
                "osProfile": {"computerName": vm.lower(), "adminUsername": "azureuser",
                              "customData": base64.b64encode(APP.encode()).decode(),
                              "linuxConfiguration": {"disablePasswordAuthentication": True, "ssh": {"publicKeys": [
                                  {"path": "/home/azureuser/.ssh/authorized_keys", "keyData": key}]}}},
                "networkProfile": {"networkInterfaces": [{"id": f"{base}/networkInterfaces/{nics[vm]}"}]}}}))
    for poller in pollers:
        poller.result()
    return Lab(azemu, group, names, nics, subscription, probe_interval, probe_threshold)

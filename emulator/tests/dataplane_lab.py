"""The tutorial's load-balanced topology built on an azemu through the Azure SDK, and the
client side of the data plane tests: new connections to the frontend, waits on the LB's view.

Used by test_dataplane_lb.py (plain module, not a conftest: only those tests need it).
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import socket
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

from azemu.testing import Azemu

LOCATION = "eastus"
VM_NAMES = ("myVM1", "myVM2", "myVM3")
ANSWER = re.compile(r"^Hello World from host (\S+)!$")

# The tutorial's cloud-config (Node.js app behind nginx), as the vms role renders it.
CLOUD_INIT = """#cloud-config
package_upgrade: true
packages:
  - nginx
  - nodejs
  - npm
write_files:
  - owner: www-data:www-data
    path: /etc/nginx/sites-available/default
    defer: true
    content: |
      server {
        listen 80;
        location / {
          proxy_pass http://localhost:3000;
          proxy_http_version 1.1;
        }
      }
  - owner: azureuser:azureuser
    path: /home/azureuser/myapp/index.js
    defer: true
    content: |
      var express = require('express')
      var app = express()
      var os = require('os');
      app.get('/', function (req, res) {
        res.send('Hello World from host ' + os.hostname() + '!')
      })
      app.listen(3000)
runcmd:
  - service nginx restart
  - cd /home/azureuser/myapp && npm install express && node index.js &
"""


class Sdk:
    """Azure SDK clients that reach azemu as any client does (cloud metadata, AAD token)."""

    def __init__(self, emu):
        from azure.identity import ClientSecretCredential
        from azure.mgmt.compute import ComputeManagementClient
        from azure.mgmt.network import NetworkManagementClient
        from azure.mgmt.resource.deployments import DeploymentsMgmtClient
        from azure.mgmt.resource.resources import ResourceManagementClient

        info = emu.info
        self.subscription = info["subscription_id"]
        metadata = requests.get(f"{emu.url}/metadata/endpoints?api-version=2022-09-01", verify=info["ca_file"],
                                timeout=30).json()
        credential = ClientSecretCredential(
            info["tenant_id"], info["client_id"], info["client_secret"],
            authority=metadata["authentication"]["loginEndpoint"], disable_instance_discovery=True,
            connection_verify=info["ca_file"])
        kwargs = dict(base_url=metadata["resourceManager"], connection_verify=info["ca_file"],
                      credential_scopes=[metadata["authentication"]["audiences"][0] + "/.default"])
        self.resource = ResourceManagementClient(credential, self.subscription, **kwargs)
        self.network = NetworkManagementClient(credential, self.subscription, **kwargs)
        self.compute = ComputeManagementClient(credential, self.subscription, **kwargs)
        self.deployments = DeploymentsMgmtClient(credential, self.subscription, **kwargs)


@dataclass
class Lab:
    emu: Azemu
    sdk: Sdk
    rg: str
    address: str = ""
    ids: dict[str, str] = field(default_factory=dict)

    # --- building it ----------------------------------------------------------------------

    def id(self, provider_type: str, name: str) -> str:
        return f"/subscriptions/{self.sdk.subscription}/resourceGroups/{self.rg}/providers/{provider_type}/{name}"

    def build(self, probe: dict) -> "Lab":
        net = self.sdk.network
        self.sdk.resource.resource_groups.create_or_update(self.rg, {"location": LOCATION})
        net.virtual_networks.begin_create_or_update(self.rg, "myVNet", {
            "location": LOCATION, "properties": {
                "addressSpace": {"addressPrefixes": ["10.1.0.0/16"]},
                "subnets": [{"name": "myBackendSubnet", "properties": {"addressPrefix": "10.1.0.0/24"}}]}}).result()
        self.nsg_rule("myNSGRuleHTTP", 200, "Allow", "*", create_nsg=True)
        net.public_ip_addresses.begin_create_or_update(self.rg, "myPublicIP", {
            "location": LOCATION, "sku": {"name": "Standard"},
            "properties": {"publicIPAllocationMethod": "Static"}}).result()
        lb = self.id("Microsoft.Network/loadBalancers", "myLoadBalancer")
        self.ids.update(lb=lb, pool=f"{lb}/backendAddressPools/myBackEndPool",
                        subnet=self.id("Microsoft.Network/virtualNetworks", "myVNet") + "/subnets/myBackendSubnet")
        net.load_balancers.begin_create_or_update(self.rg, "myLoadBalancer", {
            "location": LOCATION, "sku": {"name": "Standard"}, "properties": {
                "frontendIPConfigurations": [{"name": "myFrontEnd", "properties": {
                    "publicIPAddress": {"id": self.id("Microsoft.Network/publicIPAddresses", "myPublicIP")}}}],
                "backendAddressPools": [{"name": "myBackEndPool"}],
                "probes": [{"name": "myHealthProbe", "properties": probe}],
                "loadBalancingRules": [{"name": "myHTTPRule", "properties": {
                    "protocol": "Tcp", "frontendPort": 80, "backendPort": 80, "idleTimeoutInMinutes": 15,
                    "enableTcpReset": True, "disableOutboundSnat": True,
                    "frontendIPConfiguration": {"id": f"{lb}/frontendIPConfigurations/myFrontEnd"},
                    "backendAddressPool": {"id": self.ids["pool"]},
                    "probe": {"id": f"{lb}/probes/myHealthProbe"}}}]}}).result()
        for vm in VM_NAMES:
            self.set_member(vm, True)
        key = "ssh-rsa " + base64.b64encode(os.urandom(64)).decode() + " test@lab"
        pollers = [self.sdk.compute.virtual_machines.begin_create_or_update(self.rg, vm, {
            "location": LOCATION, "properties": {
                "hardwareProfile": {"vmSize": "Standard_B1s"},
                "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                                                      "sku": "server", "version": "latest"},
                                   "osDisk": {"createOption": "FromImage"}},
                "osProfile": {"computerName": vm, "adminUsername": "azureuser",
                              "customData": base64.b64encode(CLOUD_INIT.encode()).decode(),
                              "linuxConfiguration": {"disablePasswordAuthentication": True, "ssh": {"publicKeys": [
                                  {"path": "/home/azureuser/.ssh/authorized_keys", "keyData": key}]}}},
                "networkProfile": {"networkInterfaces": [{"id": self.nic_id(vm)}]}}}) for vm in VM_NAMES]
        for poller in pollers:
            poller.result()
        self.address = net.public_ip_addresses.get(self.rg, "myPublicIP").ip_address
        return self

    def set_distribution(self, mode: str) -> None:
        """Read the load balancer, change the rule's loadDistribution, write it back."""
        lbs = self.sdk.network.load_balancers
        body = lbs.get(self.rg, "myLoadBalancer").as_dict()
        body["properties"]["loadBalancingRules"][0]["properties"]["loadDistribution"] = mode
        lbs.begin_create_or_update(self.rg, "myLoadBalancer", body).result()

    def nic_id(self, vm: str) -> str:
        return self.id("Microsoft.Network/networkInterfaces", f"myNic{vm[2:]}")

    def set_member(self, vm: str, member: bool) -> None:
        """Create or update the VM's NIC, in the backend pool or out of it."""
        config = {"subnet": {"id": self.ids["subnet"]}}
        if member:
            config["loadBalancerBackendAddressPools"] = [{"id": self.ids["pool"]}]
        self.sdk.network.network_interfaces.begin_create_or_update(self.rg, f"myNic{vm[2:]}", {
            "location": LOCATION, "properties": {
                "networkSecurityGroup": {"id": self.id("Microsoft.Network/networkSecurityGroups", "myNSG")},
                "ipConfigurations": [{"name": "ipconfig1", "properties": config}]}}).result()

    def nsg_rule(self, name: str, priority: int, access: str, source: str, *, destination: str = "*",
                 create_nsg: bool = False) -> None:
        rule = {"protocol": "Tcp", "direction": "Inbound", "access": access, "priority": priority,
                "sourceAddressPrefix": source, "sourcePortRange": "*",
                "destinationAddressPrefix": destination, "destinationPortRange": "80"}
        net = self.sdk.network
        if create_nsg:
            net.network_security_groups.begin_create_or_update(self.rg, "myNSG", {
                "location": LOCATION, "properties": {"securityRules": [{"name": name, "properties": rule}]}}).result()
        else:
            net.security_rules.begin_create_or_update(self.rg, "myNSG", name, {"properties": rule}).result()

    def delete_nsg_rule(self, name: str) -> None:
        self.sdk.network.security_rules.begin_delete(self.rg, "myNSG", name).result()

    def private_ip(self, vm: str) -> str:
        nic = self.sdk.network.network_interfaces.get(self.rg, f"myNic{vm[2:]}")
        return nic.ip_configurations[0].private_ip_address

    # --- the LB's view --------------------------------------------------------------------

    def dataplane(self) -> dict:
        status, _headers, doc = self.emu.http("GET", "/_azemu/dataplane")
        assert status == 200, doc
        return doc

    def probe_states(self) -> dict[str, str]:
        """{VM name: Up|Down} of the pool's members, from the data plane's own report."""
        doc = self.dataplane()
        vm_of = {b["id"].lower(): b["vm"] for b in doc["backends"]}
        return {vm_of[p["backend"].lower()]: p["state"] for p in doc["probes"]}

    def rule_health(self) -> dict:
        """The rule health API through the SDK: {"up", "down", VM name: (state, reason)}."""
        result = self.sdk.network.load_balancer_load_balancing_rules.begin_health(
            self.rg, "myLoadBalancer", "myHTTPRule").result()
        out = {"up": result.up, "down": result.down}
        for entry in result.load_balancer_backend_addresses or []:
            nic = entry.network_interface_ip_configuration_id.split("/")[8]
            out["myVM" + nic[len("myNicVM"):]] = (entry.state, entry.reason)
        return out

    def wait_states(self, wanted: dict[str, str], timeout: float) -> float:
        """Wait until the probes see `wanted` ({VM: state}); returns the seconds it took."""
        started = time.monotonic()
        wait_until(lambda: all(self.probe_states().get(vm) == state for vm, state in wanted.items()), timeout,
                   f"probe states {wanted}; last {self.probe_states()}")
        return time.monotonic() - started

    # --- clients --------------------------------------------------------------------------

    def hit(self, timeout: float = 5.0, source: str | None = None) -> str | None:
        """One request over a new connection: the VM that answered, None when it failed."""
        conn = http.client.HTTPConnection(self.address, 80, timeout=timeout,
                                          source_address=(source, 0) if source else None)
        try:
            conn.request("GET", "/")
            response = conn.getresponse()
            match = ANSWER.match(response.read().decode())
            return match.group(1) if response.status == 200 and match else None
        except (OSError, http.client.HTTPException):
            return None
        finally:
            conn.close()

    def spread(self, count: int) -> Counter:
        return Counter(self.hit() for _ in range(count))


def wait_until(check, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def served_by(conn: http.client.HTTPConnection) -> str | None:
    """One request on an open (keep-alive) connection: the VM that answered."""
    conn.request("GET", "/")
    response = conn.getresponse()
    match = ANSWER.match(response.read().decode())
    return match.group(1) if match else None


def connect(address: str, timeout: float) -> tuple[str, float]:
    """Open a TCP connection to address:80: ("connected" | "timeout" | "reset" | "refused", seconds)."""
    started = time.monotonic()
    try:
        socket.create_connection((address, 80), timeout=timeout).close()
        outcome = "connected"
    except TimeoutError:
        outcome = "timeout"
    except ConnectionResetError:
        outcome = "reset"
    except ConnectionRefusedError:
        outcome = "refused"
    return outcome, time.monotonic() - started


def answered_by(sock: socket.socket) -> str:
    """One more request on an open keep-alive connection: the VM that answered."""
    sock.sendall(b"GET / HTTP/1.1\r\nHost: lab\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
    while len(body) < length:
        body += sock.recv(4096)
    return ANSWER.match(body.decode()).group(1)


def idle_connection(address: str, timeout: float = 10.0) -> tuple[socket.socket, str]:
    """A keep-alive connection that has been answered once and is now idle: (socket, VM)."""
    sock = socket.create_connection((address, 80), timeout=timeout)
    return sock, answered_by(sock)

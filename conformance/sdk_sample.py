"""The flow of Microsoft's network-python-manage-loadbalancer sample (its example.py), with the
Azure SDK for Python's own model classes and the sample's casing ('static', 'tcp', 'Http',
'fromImage'), run by the SDK venv's python. Our code, following the sample step by step:

  resource group; public IP; one load balancer body with frontend, pool, probe, rule and two
  inbound NAT rules; VNet; subnet; two NICs in the pool, each with its NAT rule; availability
  set; two VMs in it; then the resource group deleted.

Where the sample asks for what today's Azure no longer has, the nearest current thing (each
says so below): no storage account and VHD (unmanaged disks are retired): a managed OS disk per
VM; Ubuntu 15.10 (gone from the image catalogue): the current Ubuntu LTS.

Route: with ARM_ENDPOINT set (custom cloud), the login endpoint and audience come from
`{ARM_ENDPOINT}/metadata/endpoints`, as for Azure Stack Hub; without it (proxy), the sample's own
DefaultAzureCredential and the clients' defaults, i.e. public Azure. Credentials from the sample's
variables AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_SUBSCRIPTION_ID.

Prints one JSON line per step: {"number", "command", "ok", "error", "started", "ended"}; after
the first failure the later steps are not run (each needs what the ones before made): "ok" null.
"""

from __future__ import annotations

import json
import os
import sys
import time

import requests
from azure.identity import ClientSecretCredential, DefaultAzureCredential
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.compute import models as compute_models
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.network import models as network_models
from azure.mgmt.resource.resources import ResourceManagementClient

# The sample's names and values.
LOCATION = "westus"
GROUP_NAME = "azure-sample-group-loadbalancer"
VNET_NAME = "azure-sample-vnet"
SUBNET_NAME = "azure-sample-subnet"
DOMAIN_LABEL_NAME = "testdns" + os.urandom(4).hex()      # the sample: 'testdns' + a haikunator name
PUBLIC_IP_NAME = "azure-sample-publicip"
LB_NAME = "azure-sample-loadbalancer"
FIP_NAME = "azure-sample-frontendipname"
ADDRESS_POOL_NAME = "azure-sample-addr-pool"
PROBE_NAME = "azure-sample-probe"
LB_RULE_NAME = "azure-sample-lb-rule"
NETRULE_NAMES = ("azure-sample-netrule1", "azure-sample-netrule2")
FRONTEND_PORTS = (21, 23)
BACKEND_PORT = 22
AVAILABILITY_SET_NAME = "azure-sample-availabilityset"
OS_DISK_NAME = "azure-sample-osdisk"
IP_CONFIG_NAME = "azure-sample-ip-config"
VMS_INFO = (
    {"name": "Web1", "nic_name": "azure-sample-nic1", "username": "notadmin1", "password": "Pa$$w0rd91"},
    {"name": "Web2", "nic_name": "azure-sample-nic2", "username": "notadmin2", "password": "Pa$$w0rd92"},
)
# The sample's Canonical UbuntuServer 15.10 is no longer published: the current LTS instead.
IMAGE = compute_models.ImageReference(publisher="Canonical", offer="ubuntu-24_04-lts", sku="server",
                                      version="latest")


class Flow:
    def __init__(self):
        self.subscription_id = os.environ["AZURE_SUBSCRIPTION_ID"]
        arm = os.environ.get("ARM_ENDPOINT")
        if arm:
            credential, kwargs = custom_cloud(arm.rstrip("/"))
        else:
            credential, kwargs = DefaultAzureCredential(), {}
        self.resource = ResourceManagementClient(credential, self.subscription_id, **kwargs)
        self.network = NetworkManagementClient(credential, self.subscription_id, **kwargs)
        self.compute = ComputeManagementClient(credential, self.subscription_id, **kwargs)
        self.made: dict[str, object] = {}

    def lb_child_id(self, kind: str, name: str) -> str:
        """The sample's construct_fip_id / construct_bap_id / construct_probe_id."""
        return (f"/subscriptions/{self.subscription_id}/resourceGroups/{GROUP_NAME}"
                f"/providers/Microsoft.Network/loadBalancers/{LB_NAME}/{kind}/{name}")

    # --- the sample's steps, in its order ---------------------------------------------------

    def create_resource_group(self):
        return self.resource.resource_groups.create_or_update(GROUP_NAME, {"location": LOCATION})

    def create_public_ip(self):
        return self.network.public_ip_addresses.begin_create_or_update(GROUP_NAME, PUBLIC_IP_NAME, network_models.PublicIPAddress(
            location=LOCATION, public_ip_allocation_method="static",
            dns_settings=network_models.PublicIPAddressDnsSettings(domain_name_label=DOMAIN_LABEL_NAME),
            idle_timeout_in_minutes=4)).result()

    def create_load_balancer(self):
        fip = network_models.SubResource(id=self.lb_child_id("frontendIPConfigurations", FIP_NAME))
        body = network_models.LoadBalancer(
            location=LOCATION,
            frontend_ip_configurations=[network_models.FrontendIPConfiguration(
                name=FIP_NAME, private_ip_allocation_method="Dynamic",
                public_ip_address=network_models.PublicIPAddress(id=self.made["public_ip"].id))],
            backend_address_pools=[network_models.BackendAddressPool(name=ADDRESS_POOL_NAME)],
            probes=[network_models.Probe(name=PROBE_NAME, protocol="Http", port=80, interval_in_seconds=15,
                                         number_of_probes=4, request_path="healthprobe.aspx")],
            load_balancing_rules=[network_models.LoadBalancingRule(
                name=LB_RULE_NAME, protocol="tcp", frontend_port=80, backend_port=80, idle_timeout_in_minutes=4,
                enable_floating_ip=False, load_distribution="Default", frontend_ip_configuration=fip,
                backend_address_pool=network_models.SubResource(id=self.lb_child_id("backendAddressPools",
                                                                                    ADDRESS_POOL_NAME)),
                probe=network_models.SubResource(id=self.lb_child_id("probes", PROBE_NAME)))],
            inbound_nat_rules=[network_models.InboundNatRule(
                name=name, protocol="tcp", frontend_port=port, backend_port=BACKEND_PORT, enable_floating_ip=False,
                idle_timeout_in_minutes=4, frontend_ip_configuration=fip)
                for name, port in zip(NETRULE_NAMES, FRONTEND_PORTS)])
        return self.network.load_balancers.begin_create_or_update(GROUP_NAME, LB_NAME, body).result()

    def create_vnet(self):
        return self.network.virtual_networks.begin_create_or_update(GROUP_NAME, VNET_NAME, network_models.VirtualNetwork(
            location=LOCATION, address_space=network_models.AddressSpace(address_prefixes=["10.0.0.0/16"]))).result()

    def create_subnet(self):
        return self.network.subnets.begin_create_or_update(
            GROUP_NAME, VNET_NAME, SUBNET_NAME, network_models.Subnet(address_prefix="10.0.0.0/24")).result()

    def create_nic(self, index: int):
        lb = self.made["lb"]
        return self.network.network_interfaces.begin_create_or_update(
            GROUP_NAME, VMS_INFO[index]["nic_name"], network_models.NetworkInterface(
                location=LOCATION, ip_configurations=[network_models.NetworkInterfaceIPConfiguration(
                    name=IP_CONFIG_NAME, subnet=network_models.Subnet(id=self.made["subnet"].id),
                    load_balancer_backend_address_pools=[
                        network_models.BackendAddressPool(id=lb.backend_address_pools[0].id)],
                    load_balancer_inbound_nat_rules=[
                        network_models.InboundNatRule(id=lb.inbound_nat_rules[index].id)])])).result()

    def create_availability_set(self):
        # No sku, as the sample: Classic. A VM with a managed disk needs Aligned (azemu and Azure
        # both refuse Classic for it), so Aligned, as today's portal and az create it.
        return self.compute.availability_sets.create_or_update(GROUP_NAME, AVAILABILITY_SET_NAME, compute_models.AvailabilitySet(
            location=LOCATION, sku=compute_models.Sku(name="Aligned")))

    def create_vm(self, index: int):
        info = VMS_INFO[index]
        body = compute_models.VirtualMachine(
            location=LOCATION,
            os_profile=compute_models.OSProfile(computer_name=info["name"], admin_username=info["username"],
                                                admin_password=info["password"]),
            hardware_profile=compute_models.HardwareProfile(vm_size="Standard_DS1_v2"),
            storage_profile=compute_models.StorageProfile(
                image_reference=IMAGE,
                # The sample's VHD in a storage account: a managed disk (unmanaged disks are retired).
                os_disk=compute_models.OSDisk(name=f"{OS_DISK_NAME}-{info['name']}", caching="None",
                                              create_option="fromImage")),
            network_profile=compute_models.NetworkProfile(network_interfaces=[
                compute_models.NetworkInterfaceReference(id=self.made[f"nic{index + 1}"].id, primary=True)]),
            availability_set=compute_models.SubResource(id=self.made["availability_set"].id))
        return self.compute.virtual_machines.begin_create_or_update(GROUP_NAME, info["name"], body).result()

    def check_pool(self):
        """Not in the sample, which only prints: both NICs' ip configurations are in the pool,
        and each NAT rule points at its NIC (what Azure fills in, read back)."""
        pool = self.network.load_balancer_backend_address_pools.get(GROUP_NAME, LB_NAME, ADDRESS_POOL_NAME)
        members = sorted(c.id.lower() for c in pool.backend_ip_configurations or [])
        wanted = sorted(self.made[f"nic{i}"].ip_configurations[0].id.lower() for i in (1, 2))
        if members != wanted:
            raise AssertionError(f"pool {ADDRESS_POOL_NAME} lists {members}, not the NICs' {wanted}")
        for index, name in enumerate(NETRULE_NAMES):
            rule = self.network.inbound_nat_rules.get(GROUP_NAME, LB_NAME, name)
            target = rule.backend_ip_configuration.id.lower() if rule.backend_ip_configuration else None
            if target != wanted[index]:
                raise AssertionError(f"NAT rule {name} points at {target}, not {wanted[index]}")
        return pool

    def delete_resource_group(self):
        return self.resource.resource_groups.begin_delete(GROUP_NAME).result()

    def steps(self):
        """(number, what the sample calls, what it makes, how)"""
        return [
            ("1", "resource_groups.create_or_update", "group", self.create_resource_group),
            ("2", "public_ip_addresses.begin_create_or_update(PublicIPAddress(public_ip_allocation_method='static'))",
             "public_ip", self.create_public_ip),
            ("3", "load_balancers.begin_create_or_update(LoadBalancer(frontend, pool, Http probe, tcp rule, "
                  "2 tcp NAT rules))", "lb", self.create_load_balancer),
            ("4", "virtual_networks.begin_create_or_update(VirtualNetwork)", "vnet", self.create_vnet),
            ("5", "subnets.begin_create_or_update(Subnet)", "subnet", self.create_subnet),
            ("6", "network_interfaces.begin_create_or_update(NIC 1 in the pool, NAT rule 1)", "nic1",
             lambda: self.create_nic(0)),
            ("7", "network_interfaces.begin_create_or_update(NIC 2 in the pool, NAT rule 2)", "nic2",
             lambda: self.create_nic(1)),
            ("8", "availability_sets.create_or_update(AvailabilitySet)", "availability_set",
             self.create_availability_set),
            ("9", "virtual_machines.begin_create_or_update(Web1, os_disk create_option='fromImage')", "vm1",
             lambda: self.create_vm(0)),
            ("10", "virtual_machines.begin_create_or_update(Web2, os_disk create_option='fromImage')", "vm2",
             lambda: self.create_vm(1)),
            ("check", "load_balancer_backend_address_pools.get + inbound_nat_rules.get: both NICs in the pool, "
                      "each NAT rule on its NIC", "pool", self.check_pool),
            ("11", "resource_groups.begin_delete", "deleted", self.delete_resource_group),
        ]


def custom_cloud(arm: str):
    """The login endpoint and token audience from the cloud's metadata document, as for Azure
    Stack Hub. It may be one cloud object or an array of them (Azure answers either, by
    api-version; Azure PowerShell's parser takes both): the cloud whose resourceManager is `arm`."""
    doc = requests.get(f"{arm}/metadata/endpoints?api-version=2022-09-01", timeout=30).json()
    clouds = doc if isinstance(doc, list) else [doc]
    cloud = next((c for c in clouds if c.get("resourceManager", "").rstrip("/") == arm), clouds[0])
    auth = cloud["authentication"]
    credential = ClientSecretCredential(os.environ["AZURE_TENANT_ID"], os.environ["AZURE_CLIENT_ID"],
                                        os.environ["AZURE_CLIENT_SECRET"], authority=auth["loginEndpoint"],
                                        disable_instance_discovery=True)
    return credential, {"base_url": arm, "credential_scopes": [auth["audiences"][0].rstrip("/") + "/.default"]}


def main() -> int:
    started = time.time()
    try:
        flow = Flow()
    except Exception as err:    # the metadata document or the credential: the route's own setup
        print(json.dumps({"number": "setup", "command": "metadata and credential", "ok": False,
                          "error": f"{type(err).__name__}: {err}", "started": started, "ended": time.time()}))
        return 1
    failed = None
    for number, command, key, call in flow.steps():
        started = time.time()
        if failed:
            print(json.dumps({"number": number, "command": command, "ok": None, "error": f"step {failed} failed",
                              "started": started, "ended": started}))
            continue
        try:
            flow.made[key] = call()
            error = ""
        except Exception as err:
            error = f"{type(err).__name__}: {err}"
        print(json.dumps({"number": number, "command": command, "ok": not error, "error": error,
                          "started": started, "ended": time.time()}), flush=True)
        failed = number if error else None
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

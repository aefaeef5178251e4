# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: vms
short_description: Azure virtual machines as hosts, grouped by load balancer backend pool
version_added: 0.1.0
description:
  - The virtual machines of one or more resource groups (or of the whole subscription) as
    hosts, each with its network interface, ip configuration, private and public IP addresses,
    power state and placement as host variables.
  - Groups each VM by the load balancer backend pools its NIC ip configurations are in
    (C(pool_<load balancer>_<pool>)), by availability set (C(availability_set_<name>)), update and
    fault domain (C(update_domain_<n>), C(fault_domain_<n>)), power state (C(power_state_<state>),
    such as C(power_state_running)) and resource group (C(resource_group_<name>)). Characters a
    group name cannot have become C(_), and names are lower case.
  - The playbook C(cloudlb.azure.rolling_maintenance) maintains the hosts of one pool group.
  - Authenticates exactly as the modules of this collection do, with the same options and
    environment variables, so the credential AWX injects for "Microsoft Azure Resource
    Manager" works for an inventory source too.
  - Reads, per resource group, the VMs with their instance views, the NICs and the public IP
    addresses in one listing each (plus a read per NIC or public IP address another resource
    group holds). With O(cache), a later run within O(cache_timeout) reads nothing.
  - The configuration file's name must end with C(azure_vms.yml) or C(azure_vms.yaml).
options:
  plugin:
    description: The name of this plugin; it must be V(cloudlb.azure.vms).
    type: str
    required: true
    choices: [cloudlb.azure.vms]
  resource_groups:
    description:
      - The resource groups whose VMs become hosts. Without them, every VM of the subscription.
    type: list
    elements: str
    default: []
  hostname:
    description:
      - What names each host. V(name) is the VM's name, V(computer_name) its host name inside
        the guest, V(private_ip) and V(public_ip) the addresses of its primary NIC (a VM without
        one falls back to its name).
    type: str
    choices: [name, computer_name, private_ip, public_ip]
    default: name
  ansible_host:
    description:
      - The address Ansible connects to, set as C(ansible_host).
      - V(public_or_private) is the public IP address of the primary ip configuration when it has
        one, else its private address; V(public_ip) and V(private_ip) only that address;
        V(none) sets no C(ansible_host) (then the host name is used, or set it with O(compose)).
    type: str
    choices: [public_or_private, public_ip, private_ip, none]
    default: public_or_private
  power_states:
    description:
      - Only VMs in these power states become hosts (V(running), V(stopped), V(deallocated),
        V(starting), ...). Empty for all.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - cloudlb.azure.auth
notes:
  - The authentication options can be set in the configuration file; like the modules, the
    plugin falls back to the E(AZURE_*) environment variables, E(ANSIBLE_AZURE_AUTH_SOURCE) and
    C(~/.azure/credentials).
seealso:
  - module: cloudlb.azure.virtual_machine_info
  - module: cloudlb.azure.load_balancer_info
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
# tutorial.azure_vms.yml: the tutorial's VMs, reached on their private addresses.
plugin: cloudlb.azure.vms
resource_groups:
  - myTutorial8
ansible_host: private_ip
# Keep the listing for ten minutes (ansible-inventory --flush-cache forgets it).
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/cloudlb-azure-inventory
cache_timeout: 600
# One more group per VM size, and a variable from a tag.
keyed_groups:
  - key: azure_size
    prefix: size
compose:
  role: azure_tags.role | default('web')

# Then, for instance:
#   ansible-inventory -i tutorial.azure_vms.yml --graph pool_myloadbalancer_mybackendpool
#   ansible-playbook -i tutorial.azure_vms.yml cloudlb.azure.rolling_maintenance \
#       -e rolling_maintenance_resource_group=myTutorial8
"""

import os
import re

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.cloudlb.azure.plugins.module_utils._auth import TOKEN_CACHE_ENV, AuthError, resolve_auth
from ansible_collections.cloudlb.azure.plugins.module_utils._clients import new_client, package_of
from ansible_collections.cloudlb.azure.plugins.module_utils._cloud import CloudError
from ansible_collections.cloudlb.azure.plugins.module_utils._compute import vm_to_dict
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ResourceNotFoundError, failure
from ansible_collections.cloudlb.azure.plugins.module_utils._login import Login
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import as_json
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import name_of, parse_id
from ansible_collections.cloudlb.azure.plugins.module_utils._nic import nic_to_dict

AUTH_OPTIONS = ("auth_source", "subscription_id", "client_id", "secret", "tenant", "profile", "cloud_environment", "token_cache")
CONFIG_SUFFIXES = ("azure_vms.yml", "azure_vms.yaml")


# --- from Azure's answers to hosts (pure, unit-tested) ---------------------------------------

def group_name(*parts):
    """A group name Ansible accepts: letters, digits and underscores, lower case."""
    return re.sub(r"[^a-z0-9_]", "_", "_".join(str(part) for part in parts).lower())


def pool_ref(pool_id):
    """{id, name, load_balancer, resource_group} of a backend pool id."""
    parts = parse_id(pool_id) or {}
    children = dict((kind.lower(), name) for kind, name in parts.get("children") or [])
    return {"id": pool_id, "name": children.get("backendaddresspools") or name_of(pool_id),
            "load_balancer": parts.get("name"), "resource_group": parts.get("resource_group")}


def host_record(vm, nics, addresses):
    """Everything the inventory says about one VM, from Azure's JSON.

    ``vm``: the VM with its instance view; ``nics``: NIC id (lower case) -> Azure's JSON;
    ``addresses``: public IP id (lower case) -> address.
    """
    view = vm_to_dict(vm)
    instance = (vm.get("properties") or {}).get("instanceView") or {}
    vm_nics = [nic_to_dict(nics[n.lower()]) for n in view["network_interfaces"] if n.lower() in nics]
    primary_id = (view["primary_network_interface"] or "").lower()
    primary = next((n for n in vm_nics if (n["id"] or "").lower() == primary_id), vm_nics[0] if vm_nics else None)
    configs = [(n, c) for n in vm_nics for c in n["ip_configurations"]]
    main_config = None
    if primary:
        main_config = next((c for c in primary["ip_configurations"] if c["primary"]),
                           primary["ip_configurations"][0] if primary["ip_configurations"] else None)
    public = [addresses.get((c["public_ip_address"] or "").lower()) for _n, c in configs if c["public_ip_address"]]
    pools = []
    for nic, config in configs:
        for pool_id in config["load_balancer_backend_address_pools"]:
            pools.append(dict(pool_ref(pool_id), network_interface=nic["name"], ip_configuration=config["name"],
                              ip_configuration_id=config["id"]))
    avset = view["availability_set"]
    return {
        "azure_id": view["id"],
        "azure_name": view["name"],
        "azure_resource_group": (parse_id(view["id"]) or {}).get("resource_group"),
        "azure_location": view["location"],
        "azure_size": view["size"],
        "azure_tags": view["tags"],
        "azure_computer_name": view["computer_name"],
        "azure_power_state": view["power_state"],
        "azure_provisioning_state": view["provisioning_state"],
        "azure_availability_set": name_of(avset) if avset else None,
        "azure_update_domain": instance.get("platformUpdateDomain"),
        "azure_fault_domain": instance.get("platformFaultDomain"),
        "azure_network_interface": primary["name"] if primary else None,
        "azure_network_interface_id": primary["id"] if primary else None,
        "azure_network_interface_resource_group": (parse_id(primary["id"]) or {}).get("resource_group")
        if primary else None,
        "azure_network_interface_tags": primary["tags"] if primary else {},
        "azure_ip_configuration": main_config["name"] if main_config else None,
        "azure_ip_configuration_id": main_config["id"] if main_config else None,
        "azure_subnet": main_config["subnet"] if main_config else None,
        "azure_private_ip": main_config["private_ip_address"] if main_config else None,
        "azure_public_ip": addresses.get((main_config["public_ip_address"] or "").lower())
        if main_config and main_config["public_ip_address"] else None,
        "azure_private_ips": [c["private_ip_address"] for _n, c in configs if c["private_ip_address"]],
        "azure_public_ips": [a for a in public if a],
        "azure_backend_pools": pools,
    }


def groups_of(record):
    groups = [group_name("pool", p["load_balancer"], p["name"]) for p in record["azure_backend_pools"]]
    if record["azure_availability_set"]:
        groups.append(group_name("availability_set", record["azure_availability_set"]))
    for key, prefix in (("azure_update_domain", "update_domain"), ("azure_fault_domain", "fault_domain")):
        if record[key] is not None:
            groups.append(group_name(prefix, record[key]))
    if record["azure_power_state"]:
        groups.append(group_name("power_state", record["azure_power_state"]))
    if record["azure_resource_group"]:
        groups.append(group_name("resource_group", record["azure_resource_group"]))
    return list(dict.fromkeys(groups))


def host_name(record, source):
    value = {"name": record["azure_name"], "computer_name": record["azure_computer_name"],
             "private_ip": record["azure_private_ip"], "public_ip": record["azure_public_ip"]}[source]
    return value or record["azure_name"]


def connect_address(record, source):
    if source == "public_ip":
        return record["azure_public_ip"]
    if source == "private_ip":
        return record["azure_private_ip"]
    if source == "public_or_private":
        return record["azure_public_ip"] or record["azure_private_ip"]
    return None


# --- reading Azure ----------------------------------------------------------------------------

class AzureReader:
    """Lists what the inventory needs, per resource group, with the collection's auth code."""

    def __init__(self, auth_params, environ=None, warn=None):
        try:
            self.auth = resolve_auth(auth_params, environ)
            login = Login(self.auth, token_cache=auth_params.get("token_cache", True))
            if login.warning and warn:
                warn(f"cloudlb.azure.vms: {login.warning}")
            self.cloud = login.cloud
            self.credential = login.credential(self.cloud)
        except (AuthError, CloudError) as exc:
            raise AnsibleError(f"cloudlb.azure.vms cannot authenticate to Azure: {exc}")
        except ImportError as exc:
            raise AnsibleError(f"cloudlb.azure.vms needs the Azure SDK (azure-identity): {exc}")
        self.clients = {}

    def client(self, name):
        if name not in self.clients:
            try:
                self.clients[name] = new_client(name, self.credential, self.auth.subscription_id, self.cloud)
            except ImportError as exc:
                raise AnsibleError(f"cloudlb.azure.vms needs the Python package {package_of(name)}: {exc}")
        return self.clients[name]

    def fail(self, exc, what):
        raise AnsibleError("cloudlb.azure.vms: " + failure(exc, f"Failed to read {what}", [self.auth.secret])["msg"])

    def request(self, call, what, missing):
        """``call()`` (an SDK request), or ``missing`` when Azure answers that it finds nothing;
        any other error fails the inventory, saying what was being read."""
        try:
            return call()
        except ResourceNotFoundError:
            return missing
        except Exception as exc:  # the SDK's exception, translated once here
            self.fail(exc, what)

    def listing(self, operations, group, what, **kwargs):
        # A resource group that does not exist holds no VMs.
        return self.request(
            lambda: [as_json(item) for item in (operations.list(group, **kwargs) if group else operations.list_all(**kwargs))],
            f"the {what} of {'resource group ' + group if group else 'the subscription'}", [])

    def get(self, operations, resource_id, what):
        parts = parse_id(resource_id)
        return self.request(lambda: as_json(operations.get(parts["resource_group"], parts["name"])),
                            f"{what} {resource_id}", None)

    def instance_view(self, vm):
        parts = parse_id(vm["id"])
        vms = self.client("compute").virtual_machines
        return self.request(lambda: as_json(vms.instance_view(parts["resource_group"], parts["name"])),
                            f"the instance view of virtual machine {vm.get('name')}", None)

    def records(self, groups):
        compute, network = self.client("compute"), self.client("network")
        scopes = groups or [None]
        vms, nics, addresses = [], {}, {}
        for group in scopes:
            vms += self.listing(compute.virtual_machines, group, "virtual machines", expand="instanceView")
            for nic in self.listing(network.network_interfaces, group, "network interfaces"):
                nics[nic["id"].lower()] = nic
            for pip in self.listing(network.public_ip_addresses, group, "public IP addresses"):
                addresses[pip["id"].lower()] = (pip.get("properties") or {}).get("ipAddress")
        records = []
        for vm in vms:
            props = vm.setdefault("properties", {})
            if not props.get("instanceView"):
                # An ARM endpoint that ignores $expand on lists (older API versions).
                props["instanceView"] = self.instance_view(vm) or {}
            for ref in (props.get("networkProfile") or {}).get("networkInterfaces") or []:
                key = ref["id"].lower()
                if key not in nics:
                    nic = self.get(network.network_interfaces, ref["id"], "network interface")
                    if nic:
                        nics[key] = nic
            for nic_id in [r["id"].lower() for r in (props.get("networkProfile") or {}).get("networkInterfaces") or []]:
                for config in ((nics.get(nic_id) or {}).get("properties") or {}).get("ipConfigurations") or []:
                    pip_id = ((config.get("properties") or {}).get("publicIPAddress") or {}).get("id")
                    if pip_id and pip_id.lower() not in addresses:
                        pip = self.get(network.public_ip_addresses, pip_id, "public IP address") or {}
                        addresses[pip_id.lower()] = (pip.get("properties") or {}).get("ipAddress")
            records.append(host_record(vm, nics, addresses))
        return sorted(records, key=lambda r: (r["azure_resource_group"] or "", r["azure_name"] or ""))


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "cloudlb.azure.vms"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(CONFIG_SUFFIXES)

    def auth_params(self):
        params = {key: self.get_option(key) for key in AUTH_OPTIONS}
        # The modules take ANSIBLE_AZURE_AUTH_SOURCE and ANSIBLE_AZURE_TOKEN_CACHE when the options
        # are not given; so do we (an option at its default counts as not given).
        if params["auth_source"] in (None, "auto") and os.environ.get("ANSIBLE_AZURE_AUTH_SOURCE"):
            params["auth_source"] = os.environ["ANSIBLE_AZURE_AUTH_SOURCE"]
        if params["token_cache"] in (None, True) and os.environ.get(TOKEN_CACHE_ENV):
            params["token_cache"] = boolean(os.environ[TOKEN_CACHE_ENV], strict=False)
        return params

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        records = None
        if use_cache:
            try:
                records = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if records is None:
            records = AzureReader(self.auth_params(), warn=self.display.warning).records(self.get_option("resource_groups"))
        if update_cache:
            self._cache[cache_key] = records
        self.populate(records)

    def populate(self, records):
        wanted_states = {state.lower() for state in self.get_option("power_states")}
        strict = self.get_option("strict")
        for record in records:
            if wanted_states and (record["azure_power_state"] or "") not in wanted_states:
                continue
            host = self.inventory.add_host(host_name(record, self.get_option("hostname")))
            for key, value in record.items():
                self.inventory.set_variable(host, key, value)
            address = connect_address(record, self.get_option("ansible_host"))
            if address:
                self.inventory.set_variable(host, "ansible_host", address)
            for group in groups_of(record):
                self.inventory.add_group(group)
                self.inventory.add_child(group, host)
            variables = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option("compose"), variables, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, host, strict=strict)

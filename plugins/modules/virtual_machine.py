#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: virtual_machine
short_description: Create, update, power or delete an Azure Linux virtual machine
version_added: 0.1.0
description:
  - Create a Linux virtual machine from a marketplace image on existing network interfaces,
    optionally in an availability set and with cloud-init custom data; resize it, change its tags,
    grow its OS disk; start, stop, deallocate or restart it; or delete it, with its OS disk and
    NICs when asked.
  - What only creation sets (image, administrator, SSH keys, computer name, NICs, availability set,
    OS disk name and type, custom data) cannot be changed afterwards. A task that asks for a
    different value fails, saying what differs, before sending any write request.
  - A second run with the same options changes nothing and sends no write request to Azure
    (O(power_state=restarted) restarts every time, by design).
  - The module reads the VM with its instance view in one request, and each NIC (and each public
    IP address on it) to report the addresses.
options:
  resource_group:
    description: Resource group of the VM.
    type: str
    required: true
  name:
    description:
      - Name of the VM, 1 to 64 letters, digits, underscores, periods and hyphens, beginning
        with a letter or digit and ending with a letter, digit or underscore.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the VM and brings it to O(power_state).
      - V(absent) deletes it, and with O(remove_on_absent) its OS disk and NICs.
    type: str
    choices: [present, absent]
    default: present
  location:
    description:
      - Azure region of the VM. Defaults to the region of O(resource_group).
      - The NICs and the availability set must be in the same region.
    type: str
  size:
    description:
      - VM size, such as V(Standard_B2s) or V(Standard_D2s_v5).
      - Defaults to V(Standard_D2s_v5), the default of C(az vm create), when the VM is created.
        When omitted, an existing VM keeps its size; a different size resizes it (Azure restarts it).
    type: str
  image:
    description:
      - Marketplace image, as a URN C(publisher:offer:sku:version) such as
        V(Canonical:ubuntu-24_04-lts:server:latest), as one of the C(az) aliases V(Ubuntu2404),
        V(Ubuntu2204), V(Debian12), V(Debian11), or as a dict with C(publisher), C(offer), C(sku)
        and C(version) (default V(latest)).
      - Defaults to V(Canonical:ubuntu-24_04-lts:server:latest) (Ubuntu 24.04 LTS) when the VM is created.
    type: raw
  admin_username:
    description:
      - Name of the administrator account. Defaults to V(azureuser) when the VM is created.
      - Lower-case letters, digits, underscores, hyphens and periods; Azure refuses names such as
        V(root), V(admin) and V(administrator).
    type: str
  ssh_public_keys:
    description:
      - OpenSSH public keys (the contents of C(.pub) files, RSA or Ed25519) of the administrator.
      - With keys and no O(admin_password), password sign-in is disabled.
      - One of O(ssh_public_keys) and O(admin_password) is required to create the VM.
    type: list
    elements: str
  admin_password:
    description:
      - Password of the administrator, 6 to 72 characters with three of lower case, upper case,
        digits and special characters. Never logged or returned.
      - Used only when the VM is created; Azure does not return it, so a later change is not detected.
    type: str
  computer_name:
    description:
      - Host name of the VM. Defaults to O(name); set it when O(name) has characters a host name
        cannot have (underscores, periods).
    type: str
  network_interfaces:
    description:
      - NICs of the VM, each a name (in O(resource_group)) or a resource ID; the first is the primary one.
      - Required to create the VM. Each NIC serves one VM.
      - Before creating the VM the module reads its NICs, its availability set and the sizes of its
        region, and a NIC that does not exist, is in another region or serves another VM, a missing
        availability set or a size the region does not offer fails the task before any write.
    type: list
    elements: str
  availability_set:
    description:
      - Availability set of the VM, a name (in O(resource_group)) or a resource ID.
      - Only at creation; Azure cannot move an existing VM into or out of a set.
    type: str
  os_disk_size_gb:
    description:
      - Size of the OS disk in GiB, at least the image's (30 GiB for Ubuntu). Defaults to the image's size.
      - Azure grows the disk of an existing VM only while the VM is deallocated (use
        O(power_state=deallocated) in the same task), and never shrinks it.
    type: int
  os_disk_type:
    description:
      - Storage type of the OS disk. Defaults, as C(az vm create) does, to V(Premium_LRS) when
        the size takes premium storage (an C(s) in its name, such as V(Standard_D2s_v5)), else V(Standard_LRS).
      - Only at creation.
    type: str
    choices: [Standard_LRS, StandardSSD_LRS, Premium_LRS, StandardSSD_ZRS, Premium_ZRS, PremiumV2_LRS]
  os_disk_name:
    description:
      - Name of the OS disk. Azure names it C(<vm>_OsDisk_1_<id>) when omitted. Only at creation.
    type: str
  os_disk_delete_option:
    description:
      - What happens to the OS disk when the VM is deleted. V(Detach) (Azure's default) keeps
        it; V(Delete) deletes it with the VM.
    type: str
    choices: [Delete, Detach]
  custom_data:
    description:
      - cloud-init configuration (or a script) for the VM's first boot, as text; the module
        base64-encodes it. Never logged, shown in a diff or returned.
      - Azure keeps it but never returns it and cannot change it once the VM exists, and cloud-init
        reads it only on first boot. The module therefore stores a salted digest of it,
        C(v2:<salt>:<HMAC-SHA256>), in the tag C(cloudlb-custom-data-sha256) when it creates the VM
        (a tag of earlier releases, a plain SHA-256, is still recognised), keeps that tag on every update
        (also with O(append_tags=false)), and fails, changing nothing, when a later task gives
        different custom data. Delete and re-create the VM to apply new custom data.
      - On a VM without that tag (made by other means) the module cannot compare and warns.
    type: str
  power_state:
    description:
      - V(running), V(stopped) (stopped but still allocated, and billed), V(deallocated) (stopped
        and released) or V(restarted) (restart a running VM, start a stopped one; changes every time).
      - A new VM runs once created. When omitted, an existing VM stays as it is.
      - With O(wait=false) the module starts the power operation and returns; a stopped or
        deallocated VM to be created, or a deallocated VM to be V(stopped), needs O(wait=true)
        because it takes two operations in sequence.
    type: str
    choices: [running, stopped, deallocated, restarted]
  remove_on_absent:
    description:
      - With O(state=absent), also delete these resources of the VM together with it, by setting
        their C(deleteOption) to C(Delete) first, as Azure's own VM deletion does.
      - V(os_disk) the OS disk; V(network_interfaces) every NIC of the VM.
    type: list
    elements: str
    choices: [os_disk, network_interfaces]
    default: []
  wait:
    description:
      - Wait until Azure has created, updated, powered or deleted the VM. A new VM is running
        (booted) when its creation completes.
      - With V(false), the module returns as soon as Azure has accepted the request, like
        C(az vm create --no-wait); the returned RV(virtual_machine.provisioning_state) is then
        V(Creating) and RV(virtual_machine.power_state) V(starting). A later task with the same
        options and O(wait=true) waits for the VM without sending any write request; so does
        M(cloudlb.azure.virtual_machine_info) polled until the VMs run.
      - The custom data, the OS disk and the NICs of a VM being created are checked by Azure
        during creation; with V(false), errors found then show only in later tasks.
    type: bool
    default: true
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.wait
  - cloudlb.azure.tags
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
attributes:
  check_mode:
    support: full
    details: In check mode the addresses of a VM to be created are not known and are returned empty.
  diff_mode:
    support: full
    details: The diff shows the VM's settings, tags and power state, never the custom data or password.
notes:
  - Windows VMs are not supported.
seealso:
  - module: cloudlb.azure.virtual_machine_info
  - module: cloudlb.azure.vm_run_command
  - module: cloudlb.azure.network_interface
  - module: cloudlb.azure.availability_set
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Create a VM running the tutorial's cloud-init, without waiting for it to boot
  cloudlb.azure.virtual_machine:
    resource_group: myResourceGroupLB
    name: myVM1
    availability_set: myAvailabilitySet
    network_interfaces: [myNic1]
    image: Ubuntu2404
    admin_username: azureuser
    ssh_public_keys:
      - "{{ lookup('ansible.builtin.file', '~/.ssh/id_rsa.pub') }}"
    custom_data: "{{ lookup('ansible.builtin.template', 'cloud-init.yml.j2') }}"
    wait: false

- name: Deallocate a VM and grow its OS disk
  cloudlb.azure.virtual_machine:
    resource_group: myResourceGroupLB
    name: myVM1
    power_state: deallocated
    os_disk_size_gb: 64

- name: Start it again
  cloudlb.azure.virtual_machine:
    resource_group: myResourceGroupLB
    name: myVM1
    power_state: running

- name: Delete the VM, its OS disk and its NIC
  cloudlb.azure.virtual_machine:
    resource_group: myResourceGroupLB
    name: myVM1
    state: absent
    remove_on_absent: [os_disk, network_interfaces]
"""

RETURN = r"""
retry_after:
  description:
    - With O(wait=false), the seconds Azure's answer to the request that started the operation
      asks a client to wait before asking about it (its C(Retry-After)). The vms role looks at
      its new VMs no sooner.
  returned: when O(wait=false) started an operation and Azure's answer had a C(Retry-After)
  type: int
  sample: 10
virtual_machine:
  description:
    - The VM after the change, or as it would be in check mode.
  returned: when O(state=present)
  type: dict
  contains:
    id:
      description: Resource ID of the VM.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroupLB/providers/Microsoft.Compute/virtualMachines/myVM1
    name:
      description: Name of the VM.
      type: str
      returned: always
      sample: myVM1
    location:
      description: Region of the VM.
      type: str
      returned: always
      sample: westus
    vm_id:
      description: Azure's unique ID of the VM (its SMBIOS UUID); V(null) in check mode for a new VM.
      type: str
      returned: always
      sample: 0ba2f8d2-9d4a-4b21-8b3f-2f4c7d5e1a11
    size:
      description: VM size.
      type: str
      returned: always
      sample: Standard_D2s_v5
    image:
      description: Image reference; C(exact_version) is the version C(latest) resolved to.
      type: dict
      returned: always
      sample: {publisher: Canonical, offer: ubuntu-24_04-lts, sku: server, version: latest, exact_version: 24.04.202510010}
    computer_name:
      description: Host name.
      type: str
      returned: always
      sample: myVM1
    admin_username:
      description: Administrator account.
      type: str
      returned: always
      sample: azureuser
    ssh_public_keys:
      description: SSH public keys of the administrator.
      type: list
      elements: str
      returned: always
    password_authentication:
      description: Whether the administrator may sign in with a password.
      type: bool
      returned: always
      sample: false
    os_disk:
      description: The OS disk (C(name), C(id), C(type), C(size_gb), C(delete_option)).
      type: dict
      returned: always
      sample: {name: myVM1_OsDisk_1_3f2a, id: null, type: Premium_LRS, size_gb: 30, delete_option: Detach}
    network_interfaces:
      description: Resource IDs of the NICs, the primary one first as given.
      type: list
      elements: str
      returned: always
    primary_network_interface:
      description: Resource ID of the primary NIC.
      type: str
      returned: always
    availability_set:
      description: Resource ID of the availability set, as Azure returns it (upper case), or V(null).
      type: str
      returned: always
    tags:
      description: Tags of the VM, with C(cloudlb-custom-data-sha256) when it was created with custom data.
      type: dict
      returned: always
    provisioning_state:
      description: V(Succeeded), or V(Creating) right after a creation that was not waited for.
      type: str
      returned: always
      sample: Succeeded
    power_state:
      description:
        - From the instance view, C(PowerState/...) without the prefix, such as V(running),
          V(starting), V(stopped), V(deallocated).
      type: str
      returned: always
      sample: running
    private_ip_addresses:
      description: Private IP addresses of the VM's NICs, the primary NIC's first.
      type: list
      elements: str
      returned: always
      sample: [10.0.2.4]
    public_ip_addresses:
      description: Public IP addresses of the VM's NICs.
      type: list
      elements: str
      returned: always
      sample: []
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._compute import (
    CUSTOM_DATA_TAG,
    DEFAULT_ADMIN_USERNAME,
    DEFAULT_SIZE,
    OS_DISK_TYPES,
    POWER_EFFECTS,
    POWER_STATES,
    admin_username_problem,
    computer_name_problem,
    custom_data_digest,
    custom_data_matches,
    custom_data_problem,
    default_os_disk_type,
    encode_custom_data,
    image_urn,
    parse_image,
    password_problem,
    power_actions,
    power_took_effect,
    same_image,
    size_problem,
    ssh_key_problem,
    vm_name_problem,
    vm_to_dict,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import (
    ModuleFailure,
    azure_call,
    azure_failure,
    check_options,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._first_poll import retry_after_seconds
from ansible_collections.cloudlb.azure.plugins.module_utils._module import RESOURCE_ARGUMENT_SPEC, AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import (
    as_json,
    ensure_deleted,
    fetch,
    group_location,
    left_failed,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._ids import (
    NETWORK_INTERFACE,
    name_of,
    parse_id,
    reference_problem,
    resource_id,
    same_id,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._references import References, read_by_id
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import (
    location_problem,
    moved_problem,
    normalize_location,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result
from ansible_collections.cloudlb.azure.plugins.module_utils._retries import no_answer
from ansible_collections.cloudlb.azure.plugins.module_utils._tags import merge_tags
from ansible_collections.cloudlb.azure.plugins.module_utils._wait import wait_until

MAX_DISK_GB = 4095
# The SDK's method for each power operation.
POWER_METHODS = {"start": "begin_start", "power_off": "begin_power_off", "deallocate": "begin_deallocate",
                 "restart": "begin_restart"}
PENDING = ("creating", "updating")


def diff_view(vm):
    if not vm:
        return {}
    hidden = ("id", "vm_id", "provisioning_state", "private_ip_addresses", "public_ip_addresses")
    return {key: value for key, value in vm.items() if key not in hidden}


def option_problems(params):
    """What is wrong with the options, found before any request."""
    problems = []

    def add(problem):
        if problem:
            problems.append(problem)

    add(vm_name_problem(params["name"]))
    if params["computer_name"] is not None or not vm_name_problem(params["name"]):
        add(computer_name_problem(params["computer_name"] or params["name"]))
    add(location_problem(params["location"]))
    if params["size"] is not None:
        add(size_problem(params["size"]))
    if params["image"] is not None:
        add(parse_image(params["image"])[1])
    if params["admin_username"] is not None:
        add(admin_username_problem(params["admin_username"]))
    for key in params["ssh_public_keys"] or []:
        add(ssh_key_problem(key))
    if params["admin_password"] is not None:
        add(password_problem(params["admin_password"]))
    nics = params["network_interfaces"]
    if nics is not None:
        if not nics:
            problems.append("network_interfaces cannot be empty: a VM needs at least one NIC")
        for nic in nics:
            add(reference_problem(nic, NETWORK_INTERFACE, "network_interfaces item"))
        if len({name_of(nic).lower() for nic in nics}) != len(nics):
            problems.append("network_interfaces names the same NIC twice")
    if params["availability_set"] is not None:
        add(reference_problem(params["availability_set"], "availabilitySets", "availability_set", namespace="Microsoft.Compute"))
    size_gb = params["os_disk_size_gb"]
    if size_gb is not None and not 1 <= size_gb <= MAX_DISK_GB:
        problems.append(f"os_disk_size_gb must be from 1 to {MAX_DISK_GB}, got {size_gb}")
    if params["custom_data"] is not None:
        add(custom_data_problem(params["custom_data"]))
    if params["remove_on_absent"] and params["state"] != "absent":
        problems.append("remove_on_absent applies only with state=absent")
    return problems


def settle(module, poller, what):
    """Wait for ``poller`` even with wait=false: the next operation needs this one done."""

    def done():
        poller.wait(timeout=1.0)  # returns once the operation ends, raising what its polling met
        return poller.done()

    azure_call(f"Failed waiting for {what}", wait_until, module, done, what, interval=0)
    azure_call(f"Failed waiting for {what}", poller.result)


class VirtualMachine:
    """The VM a task names: reading it (with its addresses) and its power operations."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.group = self.params["resource_group"]
        self.name = self.params["name"]
        self.what = f"virtual machine {self.name}"
        self._vms = None
        self.refs = None        # the References a create checked, NICs among them
        self.retry_after = None   # seconds Azure asked to wait about the operation nobody waited for

    @property
    def vms(self):
        """The SDK's virtual_machines operations, built on first use (no request before)."""
        if self._vms is None:
            self._vms = self.module.client("compute").virtual_machines
        return self._vms

    def read(self):
        """The VM as the module reports it (model and instance view in one request), or None."""
        return fetch(self.module, lambda: vm_to_dict(as_json(self.vms.get(self.group, self.name, expand="instanceView"))),
                     self.what)

    def read_network(self, resource_id, what):
        """A Microsoft.Network resource's JSON through the compute client's pipeline: importing
        azure-mgmt-network only to read addresses would cost every run seconds. A NIC the create's
        reference check read is not read again: writing the VM changes none of its addresses."""
        if self.refs is not None and self.refs.has_read(resource_id):
            return self.refs.resource(resource_id)
        return read_by_id(self.module, self.module.client("compute"), resource_id, f"{what} of {self.what}")

    def with_addresses(self, vm):
        """``vm`` with the private and public IP addresses of its NICs."""
        private, public = [], []
        for nic_id in vm["network_interfaces"]:
            nic = self.read_network(nic_id, f"network interface {nic_id}") or {}
            for config in (nic.get("properties") or {}).get("ipConfigurations") or []:
                props = config.get("properties") or {}
                if props.get("privateIPAddress"):
                    private.append(props["privateIPAddress"])
                ip_ref = (props.get("publicIPAddress") or {}).get("id")
                address = self.read_network(ip_ref, f"public IP address {ip_ref}") if ip_ref else None
                if address and (address.get("properties") or {}).get("ipAddress"):
                    public.append(address["properties"]["ipAddress"])
        return dict(vm, private_ip_addresses=private, public_ip_addresses=public)

    def result(self, changed, before, after):
        """The task's Result: ``after`` with its addresses (a VM check mode only plans has none)."""
        returned = after if self.module.check_mode and not after.get("vm_id") else self.with_addresses(after)
        returned.setdefault("private_ip_addresses", [])
        returned.setdefault("public_ip_addresses", [])
        extra = {} if self.retry_after is None else {"retry_after": self.retry_after}
        return Result(changed, diff_view(before), diff_view(returned), virtual_machine=returned, **extra)

    def wait_provisioned(self, vm):
        """A VM still being created or updated (by an earlier task with wait=false): wait for it."""
        if (vm["provisioning_state"] or "").lower() not in PENDING or not self.params["wait"] or self.module.check_mode:
            return vm
        found = {}

        def provisioned():
            found["vm"] = self.read()
            return found["vm"] is None or (found["vm"]["provisioning_state"] or "").lower() not in PENDING

        self.module.wait_until(provisioned, f"{self.what} to finish provisioning", interval=1.0)
        if found["vm"] is None:
            raise ModuleFailure(f"The {self.what} was deleted while this task waited for it")
        return found["vm"]

    def polling(self, last):
        """The begin_ call's keywords: an operation nobody waits for (the last, with wait=false)
        gets azure-core's polling=False, so no poller thread sends a status request before the
        module exits (the answer to the request is all it returns, with its Retry-After)."""
        if self.params["wait"] or not last:
            return {}
        return {"polling": False, "raw_response_hook": self.note_retry_after}

    def note_retry_after(self, response):
        seconds = retry_after_seconds(response.http_response.headers.get("Retry-After"))
        self.retry_after = None if seconds is None else int(seconds)

    def power(self, operation, last=True, resent=False):
        verb = operation.replace("_", " ")
        what = f"{self.what} to {verb}"
        try:
            poller = getattr(self.vms, POWER_METHODS[operation])(self.group, self.name, **self.polling(last))
        except Exception as exc:  # a lost answer is told apart; any other is the task's failure
            if resent or not no_answer(exc):
                raise azure_failure(exc, f"Failed to {verb} {self.what}") from exc
            self.after_lost_answer(operation, exc, last)
            return
        if last:
            self.module.wait_for(poller, what)
        else:
            settle(self.module, poller, what)

    def power_all(self, operations):
        """Run the power ``operations`` in order, waiting (as wait says) only for the last."""
        for i, operation in enumerate(operations):
            self.power(operation, last=i == len(operations) - 1)

    def after_lost_answer(self, operation, exc, last):
        """A power request was sent and its answer lost (azure-core sends no POST twice: _retries).
        The power state tells what it did: under way or done, wait for it as for its operation;
        not begun, send it once more; a restart that may be over already, say so and stop."""
        verb = operation.replace("_", " ")
        vm = self.read()
        state = vm["power_state"] if vm else None
        effect = power_took_effect(operation, state)
        if effect is None:
            raise ModuleFailure(f"The answer to the request to {verb} {self.what} was lost ({exc}); the VM is"
                                " running, and whether it restarted in between cannot be told. Run the task again"
                                " to restart it")
        if not effect:
            self.power(operation, last, resent=True)
            return
        if last and not self.params["wait"]:
            return
        target = POWER_EFFECTS[operation][1]
        self.module.wait_until(lambda: (self.read() or {}).get("power_state") == target, f"{self.what} to {verb}",
                               interval=1.0)

    def write(self, start, verb, then):
        """Send a create or update (``start(**polling)``, its poller) and wait for it: as wait
        says when nothing follows, fully when the power operations ``then`` follow it."""
        poller = azure_call(f"Failed to {verb} {self.what}", start, **self.polling(not then))
        if then:
            settle(self.module, poller, f"{self.what} to be {verb}d")
        else:
            self.module.wait_for(poller, f"{self.what} to be {verb}d")
        return poller

    def after(self, poller, then, power_state):
        """The VM after a write (``poller``, None when only power operations ran): the write's
        own answer when nothing waited (wait=false, no power operation after it), which a read
        would only repeat, with ``power_state`` (the answer has no instance view: a new VM is
        starting, an update leaves it as it was); else a read, with the instance view."""
        if poller is None or self.params["wait"] or then:
            return self.read()
        return dict(vm_to_dict(as_json(poller.result())), power_state=power_state)


# --- options -----------------------------------------------------------------------------------

def options(module):
    """The VM the task names; OptionError for any option Azure would refuse. No request yet."""
    check_options(option_problems(module.params))
    return VirtualMachine(module)


# --- present -----------------------------------------------------------------------------------

def creation_problem(params, what):
    """What a VM's creation needs that the options lack, or None."""
    if not params["network_interfaces"]:
        return f"network_interfaces is required to create {what}"
    if not params["ssh_public_keys"] and not params["admin_password"]:
        return f"ssh_public_keys or admin_password is required to create {what}"
    if params["power_state"] in ("stopped", "deallocated") and not params["wait"]:
        return (f"power_state={params['power_state']} for a new VM needs wait=true: Azure"
                " creates a running VM, which the module then stops once it is created")
    return None


def creation_body(module, machine, location, size, nic_ids, avset_id):
    """The PUT body of a new VM (its custom data masked in every output)."""
    params = module.params
    image = parse_image(params["image"])[0]
    user = params["admin_username"] or DEFAULT_ADMIN_USERNAME
    tags = merge_tags({}, params["tags"], params["append_tags"])[0]
    if params["custom_data"] is not None:
        tags[CUSTOM_DATA_TAG] = custom_data_digest(params["custom_data"])
    disk = {"createOption": "FromImage", "caching": "ReadWrite",
            "managedDisk": {"storageAccountType": params["os_disk_type"] or default_os_disk_type(size)}}
    for key, option in (("name", "os_disk_name"), ("diskSizeGB", "os_disk_size_gb"),
                        ("deleteOption", "os_disk_delete_option")):
        if params[option] is not None:
            disk[key] = params[option]
    linux = {"disablePasswordAuthentication": not params["admin_password"]}
    if params["ssh_public_keys"]:
        linux["ssh"] = {"publicKeys": [{"path": f"/home/{user}/.ssh/authorized_keys", "keyData": key}
                                       for key in params["ssh_public_keys"]]}
    profile = {"computerName": params["computer_name"] or machine.name, "adminUsername": user,
               "linuxConfiguration": linux}
    if params["admin_password"]:
        profile["adminPassword"] = params["admin_password"]
    if params["custom_data"] is not None:
        profile["customData"] = encode_custom_data(params["custom_data"])
        module.no_log_values.add(profile["customData"])
    body = {"location": location, "tags": tags, "properties": {
        "hardwareProfile": {"vmSize": size},
        "storageProfile": {"imageReference": image, "osDisk": disk},
        "osProfile": profile,
        "networkProfile": {"networkInterfaces": [
            {"id": nic_id, "properties": {"primary": i == 0}} for i, nic_id in enumerate(nic_ids)]},
    }}
    if avset_id:
        body["properties"]["availabilitySet"] = {"id": avset_id}
    return body


def create(module, machine):
    params = module.params
    missing = creation_problem(params, machine.what)
    if missing:
        raise ModuleFailure(missing)
    subscription = module.subscription_id
    location = normalize_location(params["location"]) or group_location(module, machine.group)
    size = params["size"] or DEFAULT_SIZE
    nic_ids = [resource_id(subscription, machine.group, "networkInterfaces", nic) if not nic.startswith("/") else nic
               for nic in params["network_interfaces"]]
    avset = params["availability_set"]
    avset_id = (resource_id(subscription, machine.group, "availabilitySets", avset, namespace="Microsoft.Compute")
                if avset and not avset.startswith("/") else avset)
    body = creation_body(module, machine, location, size, nic_ids, avset_id)
    machine.refs = check_references(module, machine.what, location, size, nic_ids, avset_id)
    predicted = vm_to_dict(dict(body, id=resource_id(subscription, machine.group, "virtualMachines", machine.name,
                                                     namespace="Microsoft.Compute"), name=machine.name))
    predicted["power_state"] = "running" if params["power_state"] in (None, "restarted") else params["power_state"]
    predicted["provisioning_state"] = None
    if module.check_mode:
        return machine.result(True, None, predicted)
    # A new VM runs: it only needs stopping or deallocating. Restarting a fresh VM is pointless.
    operations = power_actions("running", None if params["power_state"] == "restarted" else params["power_state"])
    poller = machine.write(lambda **polling: machine.vms.begin_create_or_update(machine.group, machine.name, body,
                                                                                **polling), "create", operations)
    machine.power_all(operations)
    return machine.result(True, None, machine.after(poller, operations, "starting"))


def check_references(module, what, location, size, nic_ids, avset_id):
    """Fail, before the create, on what Azure would refuse in a new VM (reads only): a size
    the region does not offer, a NIC that does not exist, is in another region or is another
    VM's (NicInUse), an availability set that does not exist or is in another region. Returns
    the References, which hold the NICs as read."""
    compute = module.client("compute")
    sizes = fetch(module, lambda: [s.name.lower() for s in compute.virtual_machine_sizes.list(location)],
                  f"the VM sizes of {location}")
    refs = References(module, compute)
    problems = refs.problems([("network_interfaces", nic_id, "network interface") for nic_id in nic_ids],
                             location, "VM")
    if sizes is not None and size.lower() not in sizes:
        problems.insert(0, f"size: {size} is not a VM size Azure offers in {location}")
    for nic_id in nic_ids:
        owner = ((refs.resource(nic_id) or {}).get("properties") or {}).get("virtualMachine")
        if owner:
            problems.append(f"network_interfaces: network interface {name_of(nic_id)} is used by virtual machine"
                            f" {name_of(owner['id'])}")
    if avset_id:
        avset = parse_id(avset_id)
        found = fetch(module, lambda: compute.availability_sets.get(avset["resource_group"], avset["name"]),
                      f"availability set {avset_id}")
        if found is None and module.check_mode:      # planned by an earlier task, as References does
            module.warn(f"availability_set: availability set {avset_id} does not exist yet; the write fails"
                        " unless an earlier task creates it")
        elif found is None:
            problems.append(f"availability_set: availability set {avset_id} does not exist")
        elif normalize_location(found.location) != location:
            problems.append(f"availability_set: availability set {avset['name']} is in {found.location}, not"
                            f" {location}; a VM must be in its availability set's region")
    if problems:
        raise ModuleFailure(f"Cannot create {what}: " + "; ".join(problems) + ". Nothing was changed")
    return refs


def fixed_problems(params, vm):
    """What the task asks to change of what only creation sets."""
    fails = [moved_problem("VM", vm["location"], params["location"])]
    if params["image"] is not None:
        image = parse_image(params["image"])[0]
        if not same_image(image, vm["image"]):
            fails.append(f"image: it was created from {image_urn(vm['image'])}, not {image_urn(image)}")
    fixed = (("admin_username", "admin_username", "the administrator"),
             ("computer_name", "computer_name", "the computer name"),
             ("os_disk_name", None, "the OS disk name"), ("os_disk_type", None, "the OS disk type"))
    for option, key, what in fixed:
        current = vm[key] if key else vm["os_disk"]["name" if option == "os_disk_name" else "type"]
        if params[option] is not None and (params[option] or "").lower() != (current or "").lower():
            fails.append(f"{option}: {what} is {current}, not {params[option]}")
    if params["ssh_public_keys"] is not None and sorted(params["ssh_public_keys"]) != sorted(vm["ssh_public_keys"]):
        fails.append("its SSH public keys differ from ssh_public_keys; Azure sets them only at creation")
    if params["network_interfaces"] is not None:
        wanted = [nic if nic.startswith("/") else nic.lower() for nic in params["network_interfaces"]]
        have = vm["network_interfaces"]
        if len(wanted) != len(have) or not all(
                same_id(w, h) if w.startswith("/") else w == name_of(h).lower() for w, h in zip(wanted, have)):
            fails.append(f"network_interfaces: its NICs are {', '.join(have)}; this module does not change a VM's"
                         " NICs")
    if params["availability_set"] is not None:
        current = vm["availability_set"]
        wanted = params["availability_set"]
        if not current or not (same_id(wanted, current) or wanted.lower() == name_of(current).lower()):
            fails.append(f"availability_set: it is {'in availability set ' + current if current else 'in no availability set'};"
                         " Azure puts a VM in an availability set only when it creates the VM")
    return [fail for fail in fails if fail]


def check_fixed(module, what, vm):
    """Fail, changing nothing, when the task asks to change what only creation sets."""
    params = module.params
    fails = fixed_problems(params, vm)
    if fails:
        raise ModuleFailure(f"Cannot change {what}: " + "; ".join(fails)
                            + ". Nothing was changed; delete and re-create the VM to change these")
    if params["custom_data"] is not None:
        stored = vm["tags"].get(CUSTOM_DATA_TAG)
        if stored is None:
            module.warn(f"The {what} has no {CUSTOM_DATA_TAG} tag (it was not created by this module);"
                        " whether custom_data matches the data it was created with cannot be checked,"
                        " and custom_data was not applied")
        elif not custom_data_matches(stored, params["custom_data"]):
            raise ModuleFailure(
                f"custom_data differs from the custom data {what} was created with (see its tag"
                f" {CUSTOM_DATA_TAG}). Azure cannot change a VM's custom data, and cloud-init reads it only on"
                " first boot. Nothing was changed; delete and re-create the VM to apply new custom data")


def disk_patch_of(module, what, vm):
    """The OS disk's part of the update (size, delete option); fails on a size Azure refuses."""
    params = module.params
    disk_patch = {}
    size_gb = params["os_disk_size_gb"]
    if size_gb is not None and size_gb != vm["os_disk"]["size_gb"]:
        if size_gb < (vm["os_disk"]["size_gb"] or 0):
            raise ModuleFailure(f"os_disk_size_gb: the OS disk of {what} has {vm['os_disk']['size_gb']} GiB;"
                                f" Azure cannot shrink a disk to {size_gb} GiB. Nothing was changed")
        if params["power_state"] != "deallocated" and vm["power_state"] != "deallocated":
            raise ModuleFailure(f"Azure grows the OS disk of {what} only while the VM is deallocated;"
                                " add power_state=deallocated to this task (and start it later). Nothing was changed")
        disk_patch["diskSizeGB"] = size_gb
    if params["os_disk_delete_option"] and params["os_disk_delete_option"] != vm["os_disk"]["delete_option"]:
        disk_patch["deleteOption"] = params["os_disk_delete_option"]
    return disk_patch


def update(module, machine, vm):
    params = module.params
    vm = machine.wait_provisioned(vm)
    check_fixed(module, machine.what, vm)
    patch_props, after = {}, dict(vm)
    if params["size"] and params["size"].lower() != (vm["size"] or "").lower():
        patch_props["hardwareProfile"] = {"vmSize": params["size"]}
        after["size"] = params["size"]
    disk_patch = disk_patch_of(module, machine.what, vm)
    if disk_patch:
        patch_props["storageProfile"] = {"osDisk": disk_patch}
        after["os_disk"] = dict(vm["os_disk"], size_gb=disk_patch.get("diskSizeGB", vm["os_disk"]["size_gb"]),
                                delete_option=disk_patch.get("deleteOption", vm["os_disk"]["delete_option"]))
    tags = merge_tags(vm["tags"], params["tags"], params["append_tags"])[0]
    if CUSTOM_DATA_TAG in vm["tags"]:
        # The record of the custom data stays, whatever the task says about tags.
        tags[CUSTOM_DATA_TAG] = vm["tags"][CUSTOM_DATA_TAG]
    patch = {"properties": patch_props} if patch_props else {}
    # A VM left Failed is written again, as Azure's way out (_resource_ops.left_failed).
    if tags != vm["tags"] or left_failed(vm):
        patch["tags"] = tags
        after["tags"] = tags
    operations = power_actions(vm["power_state"], params["power_state"])
    if operations:
        after["power_state"] = "running" if params["power_state"] == "restarted" else params["power_state"]
    if not patch and not operations:
        return machine.result(False, vm, vm)
    if module.check_mode:
        return machine.result(True, vm, after)
    # A disk grows only while deallocated: deallocate first, then patch.
    if operations == ["deallocate"] and disk_patch.get("diskSizeGB"):
        machine.power("deallocate", last=not patch)
        operations = []
    poller = None
    if patch:
        poller = machine.write(lambda **polling: machine.vms.begin_update(machine.group, machine.name, patch, **polling),
                               "update", operations)
    machine.power_all(operations)
    return machine.result(True, vm, machine.after(poller, operations, vm["power_state"]))


def ensure_present(module, machine):
    """Create the VM or bring it to the task's settings and power state."""
    vm = machine.read()
    return create(module, machine) if vm is None else update(module, machine, vm)


# --- absent ------------------------------------------------------------------------------------

def deletion_marks(params, vm):
    """The update that sets deleteOption=Delete on what remove_on_absent names (so Azure deletes
    it with the VM), or None when there is nothing to mark."""
    remove = params["remove_on_absent"]
    props = {}
    if "os_disk" in remove and vm["os_disk"]["delete_option"] != "Delete":
        props["storageProfile"] = {"osDisk": {"deleteOption": "Delete"}}
    if "network_interfaces" in remove:
        props["networkProfile"] = {"networkInterfaces": [
            {"id": nic, "properties": {"primary": same_id(nic, vm["primary_network_interface"]),
                                       "deleteOption": "Delete"}} for nic in vm["network_interfaces"]]}
    return {"properties": props} if props else None


def ensure_absent(module, machine):
    """Delete the VM when it exists (with what remove_on_absent names)."""
    vm = machine.read()
    if vm is None:
        return Result(False, {}, {})
    if module.check_mode:
        return Result(True, diff_view(vm), {})
    marks = deletion_marks(module.params, vm)
    if marks:
        poller = azure_call(f"Failed to mark the disk and NICs of {machine.what} for deletion", machine.vms.begin_update,
                            machine.group, machine.name, marks)
        settle(module, poller, f"{machine.what} to mark its disk and NICs for deletion")
    return ensure_deleted(module, diff_view(vm), lambda: machine.vms.begin_delete(machine.group, machine.name),
                          machine.what)


def main():
    module = AzureModule(
        argument_spec=dict(
            RESOURCE_ARGUMENT_SPEC,
            size=dict(type="str"),
            image=dict(type="raw"),
            admin_username=dict(type="str"),
            ssh_public_keys=dict(type="list", elements="str", no_log=False),
            admin_password=dict(type="str", no_log=True),
            computer_name=dict(type="str"),
            network_interfaces=dict(type="list", elements="str"),
            availability_set=dict(type="str"),
            os_disk_size_gb=dict(type="int"),
            os_disk_type=dict(type="str", choices=list(OS_DISK_TYPES)),
            os_disk_name=dict(type="str"),
            os_disk_delete_option=dict(type="str", choices=["Delete", "Detach"]),
            custom_data=dict(type="str", no_log=True),
            power_state=dict(type="str", choices=list(POWER_STATES)),
            remove_on_absent=dict(type="list", elements="str", choices=["os_disk", "network_interfaces"], default=[]),
        ),
        wait=True,
        tags=True,
    )
    module.run(options, {"present": ensure_present, "absent": ensure_absent})


if __name__ == "__main__":
    main()

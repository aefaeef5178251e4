"""How Compute checks and normalises a VM's PUT body, with the codes and messages Azure uses
(`InvalidParameter` naming the field, `PropertyChangeNotAllowed` for what only creation sets,
`NicInUse`, ...). `Check` runs on create (`current` None) and on update."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from ...arm.context import Ctx, Res
from ...arm.fields import flag
from ...errors import ArmError
from . import images, vm_sizes
from .availability_set import upper_id
from .enums import CACHING, NIC_DELETE, OS_DISK_CREATE, OS_DISK_DELETE, OS_DISK_TYPE
from .vm_power import power

NIC_TYPE = "microsoft.network/networkinterfaces"
VM_TYPE = "microsoft.compute/virtualmachines"
HOST_FORBIDDEN = "`~!@#$%^&*()=+_[]{}\\|;:'\",<>/?."
RESERVED_USERS = frozenset(
    """administrator admin user user1 test user2 test1 user3 admin1 1 123 a actuser adm admin2 aspnet
    backup console david guest john owner root server sql support support_388945a0 sys test2 test3 user4
    user5""".split())
MAX_DISK_GB = 4095
CUSTOM_DATA_MAX = 87380


def invalid(message: str, target: str | None = None) -> ArmError:
    return ArmError.bad_request("InvalidParameter", message, target=target)


def missing(name: str) -> ArmError:
    return invalid(f"Required parameter '{name}' is missing (null).", target=name)


def not_allowed(message: str) -> ArmError:
    return ArmError.conflict("OperationNotAllowed", message)


def change_not_allowed(prop: str) -> ArmError:
    return ArmError.conflict("PropertyChangeNotAllowed", f"Changing property '{prop}' is not allowed.", target=prop)


def obj(value: Any, name: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid(f"The value of parameter {name} is invalid.", target=name)
    return value


def _same(a: Any, b: Any) -> bool:
    return (a or "").lower() == (b or "").lower() if isinstance(a, str) and isinstance(b, str) else a == b


class Check:
    """The checks of one VM body against Compute's rules; `current` is the stored VM on update."""

    def __init__(self, ctx: Ctx, location: str | None, current: Res | None):
        self.ctx = ctx
        self.location = location
        self.current = current
        self.cur = current.props if current else {}

    def size(self, props: dict) -> vm_sizes.Size:
        hardware = obj(props.get("hardwareProfile"), "hardwareProfile") or self.cur.get("hardwareProfile")
        if not hardware or not hardware.get("vmSize"):
            raise missing("vmSize")
        size = vm_sizes.require(hardware["vmSize"])
        props["hardwareProfile"] = dict(hardware, vmSize=size.name)
        return size

    def storage(self, props: dict, size: vm_sizes.Size) -> None:
        storage = obj(props.get("storageProfile"), "storageProfile")
        cur = self.cur.get("storageProfile") or {}
        if self.current is None:
            image = images.resolve(storage.get("imageReference"))
        else:
            image = cur["imageReference"]
            wanted = storage.get("imageReference")
            if wanted is not None and not all(_same(obj(wanted, "imageReference").get(k), image.get(k))
                                              for k in images.FIELDS):
                raise change_not_allowed("imageReference")
        if storage.get("dataDisks"):
            raise invalid("azemu does not emulate data disks; 'dataDisks' must be empty.", target="dataDisks")
        props["storageProfile"] = {"imageReference": image, "osDisk": self.os_disk(
            obj(storage.get("osDisk"), "osDisk"), cur.get("osDisk"), size, images.lookup(image).disk_gb),
            "dataDisks": []}

    def os_disk(self, disk: dict, cur: dict | None, size: vm_sizes.Size, image_gb: int) -> dict:
        managed = obj(disk.get("managedDisk"), "osDisk.managedDisk")
        cur_managed = (cur or {}).get("managedDisk", {})
        default_type = cur_managed.get("storageAccountType") or ("Premium_LRS" if size.premium else "Standard_LRS")
        disk_type = OS_DISK_TYPE.check(managed.get("storageAccountType"), "osDisk.managedDisk.storageAccountType",
                                       default_type)
        create_option = OS_DISK_CREATE.check(disk.get("createOption"), "osDisk.createOption", "FromImage")
        # Without a name, fill() names the disk after the VM, as Azure does.
        name = disk.get("name") or (cur or {}).get("name")
        if name is not None and not isinstance(name, str):
            raise invalid("The value of parameter osDisk.name is invalid.", target="osDisk.name")
        size_gb = disk.get("diskSizeGB", (cur or {}).get("diskSizeGB", image_gb))
        if isinstance(size_gb, bool) or not isinstance(size_gb, int) or size_gb > MAX_DISK_GB:
            raise invalid("The value of parameter osDisk.diskSizeGB is invalid.", target="osDisk.diskSizeGB")
        if size_gb < image_gb:
            raise not_allowed(f"Disk with size {size_gb}GB, which is smaller than the size {image_gb}GB of "
                              "corresponding disk in Image, is not allowed.")
        if cur is not None:
            if not _same(name, cur["name"]):
                raise change_not_allowed("osDisk.name")
            if disk_type != cur_managed.get("storageAccountType"):
                raise change_not_allowed("osDisk.managedDisk.storageAccountType")
            if size_gb != cur.get("diskSizeGB"):
                if size_gb < cur.get("diskSizeGB", image_gb):
                    raise not_allowed(f"Disk size reduction is not supported. Current size is {cur.get('diskSizeGB')} "
                                      f"GB and requested size is {size_gb} GB.")
                if power(self.current) != "deallocated":
                    raise ArmError.conflict("Conflict", "Disk resizing is allowed only when creating a VM or when the "
                                                        "VM is deallocated.")
        elif create_option != "FromImage":
            raise invalid(f"The value {create_option} of parameter osDisk.createOption is invalid: azemu creates "
                          "OS disks from an image only.", target="osDisk.createOption")
        if disk_type.startswith("Premium") and not size.premium:
            raise invalid(f"Requested operation cannot be performed because the VM size {size.name} does not support "
                          f"the storage account type {disk_type} of disk '{name or ''}'. Consider updating the VM to a "
                          "size that supports Premium storage.", target="osDisk.managedDisk.storageAccountType")
        out = {"osType": "Linux", "name": name, "createOption": "FromImage",
               "caching": CACHING.check(disk.get("caching"), "osDisk.caching", (cur or {}).get("caching") or "ReadWrite"),
               "managedDisk": {"storageAccountType": disk_type}, "diskSizeGB": size_gb,
               "deleteOption": OS_DISK_DELETE.check(disk.get("deleteOption"), "osDisk.deleteOption",
                                                    (cur or {}).get("deleteOption", "Detach"))}
        if cur_managed.get("id"):
            out["managedDisk"]["id"] = cur_managed["id"]
        return out

    def os_profile(self, props: dict) -> None:
        profile = obj(props.get("osProfile"), "osProfile")
        if self.current is not None:
            self.os_profile_update(props, profile)
            return
        if not profile:
            raise missing("osProfile")
        computer = profile.get("computerName")
        if not isinstance(computer, str) or not computer:
            raise missing("computerName")
        if len(computer) > 64 or any(c in HOST_FORBIDDEN or c.isspace() for c in computer):
            raise invalid("Linux host name cannot exceed 64 characters in length or contain the following characters: "
                          f"{' '.join(HOST_FORBIDDEN)}.", target="computerName")
        user = profile.get("adminUsername")
        if not isinstance(user, str) or not user:
            raise missing("adminUsername")
        if user.lower() in RESERVED_USERS or len(user) > 64 or not re.match(r"^[a-z_][a-z0-9_.-]*$", user):
            raise invalid("The Admin Username specified is not allowed.", target="adminUsername")
        linux = obj(profile.get("linuxConfiguration"), "linuxConfiguration")
        flag(linux, "enableVMAgentPlatformUpdates")       # false unless asked (computeRPCommon.json)
        keys = obj(linux.get("ssh"), "linuxConfiguration.ssh").get("publicKeys") or []
        if not isinstance(keys, list):
            raise invalid("The value of parameter linuxConfiguration.ssh.publicKeys is invalid.",
                          target="linuxConfiguration.ssh.publicKeys")
        clean_keys = [self.ssh_key(key, user) for key in keys]
        no_password = bool(linux.get("disablePasswordAuthentication", False))
        password = profile.get("adminPassword")
        if no_password and not clean_keys:
            raise invalid("Authentication using either SSH or by user name and password must be enabled in Linux "
                          "profile.", target="linuxConfiguration")
        if not no_password:
            if not password:
                raise missing("adminPassword")
            self.password(password)
        out = {"computerName": computer, "adminUsername": user,
               "linuxConfiguration": {"disablePasswordAuthentication": no_password,
                                      "ssh": {"publicKeys": clean_keys},
                                      "provisionVMAgent": linux.get("provisionVMAgent", True),
                                      "patchSettings": {"patchMode": "ImageDefault", "assessmentMode": "ImageDefault"},
                                      "enableVMAgentPlatformUpdates": linux["enableVMAgentPlatformUpdates"]},
               "secrets": [], "allowExtensionOperations": True, "requireGuestProvisionSignal": True}
        if password:
            out["adminPassword"] = password
        if profile.get("customData") is not None:
            out["customData"] = self.custom_data(profile["customData"])
        props["osProfile"] = out

    def os_profile_update(self, props: dict, profile: dict) -> None:
        cur = self.cur["osProfile"]
        for key in ("computerName", "adminUsername"):
            if key in profile and not _same(profile[key], cur[key]):
                raise change_not_allowed(key)
        if profile.get("adminPassword"):
            raise change_not_allowed("adminPassword")
        data = profile.get("customData")
        if data is not None and data != self.current.internal.get("custom_data"):
            raise change_not_allowed("customData")
        keys = (((profile.get("linuxConfiguration") or {}).get("ssh") or {}).get("publicKeys"))
        if keys is not None and [k.get("keyData") for k in keys if isinstance(k, dict)] != [
                k["keyData"] for k in cur["linuxConfiguration"]["ssh"]["publicKeys"]]:
            raise change_not_allowed("linuxConfiguration.ssh.publicKeys")
        props["osProfile"] = dict(cur)

    def ssh_key(self, key: Any, user: str) -> dict:
        path = f"/home/{user}/.ssh/authorized_keys"
        if not isinstance(key, dict) or not isinstance(key.get("keyData"), str):
            raise invalid("The value of parameter linuxConfiguration.ssh.publicKeys.keyData is invalid.",
                          target="linuxConfiguration.ssh.publicKeys.keyData")
        if key.get("path", path) != path:
            raise invalid(f"Destination path for Ssh public keys is currently limited to its default value {path} "
                          "due to a known issue in Linux provisioning agent.", target="linuxConfiguration.ssh.publicKeys.path")
        fields = key["keyData"].split()
        try:
            ok = len(fields) >= 2 and fields[0] in ("ssh-rsa", "ssh-ed25519") and base64.b64decode(fields[1], validate=True)
        except (binascii.Error, ValueError):
            ok = False
        if not ok:
            raise invalid("The value of parameter linuxConfiguration.ssh.publicKeys.keyData is invalid.",
                          target="linuxConfiguration.ssh.publicKeys.keyData")
        return {"path": path, "keyData": key["keyData"]}

    @staticmethod
    def password(password: Any) -> None:
        classes = 0
        if isinstance(password, str):
            classes = sum([any(c.islower() for c in password), any(c.isupper() for c in password),
                           any(c.isdigit() for c in password), any(not c.isalnum() for c in password)])
        if not isinstance(password, str) or not 6 <= len(password) <= 72 or classes < 3:
            raise invalid("The supplied password must be between 6-72 characters long and must satisfy at least 3 of "
                          "password complexity requirements from the following: 1) Contains an uppercase character "
                          "2) Contains a lowercase character 3) Contains a numeric digit 4) Contains a special character "
                          "5) Control characters are not allowed", target="adminPassword")

    @staticmethod
    def custom_data(data: Any) -> str:
        try:
            ok = isinstance(data, str) and len(data) <= CUSTOM_DATA_MAX and base64.b64decode(data, validate=True) is not None
        except (binascii.Error, ValueError):
            ok = False
        if not ok:
            raise invalid(f"Custom data in OSProfile must be in Base64 encoding and with a maximum length of "
                          f"{CUSTOM_DATA_MAX} characters.", target="customData")
        return data

    def network(self, props: dict) -> None:
        profile = obj(props.get("networkProfile"), "networkProfile")
        nics = profile.get("networkInterfaces")
        if nics is None and self.current is not None:
            props["networkProfile"] = self.cur["networkProfile"]
            return
        if not isinstance(nics, list) or not nics:
            raise missing("networkProfile.networkInterfaces")
        out = []
        for i, nic in enumerate(nics):
            nic = obj(nic, f"networkInterfaces[{i}]")
            nic_props = obj(nic.get("properties"), f"networkInterfaces[{i}].properties")
            out.append({"id": self.nic(nic.get("id")), "properties": {
                "primary": bool(nic_props.get("primary", len(nics) == 1)),
                "deleteOption": NIC_DELETE.check(nic_props.get("deleteOption"),
                                                 f"networkInterfaces[{i}].properties.deleteOption", "Detach")}})
        if len(out) > 1 and sum(n["properties"]["primary"] for n in out) != 1:
            raise invalid("Virtual machine must have one network interface set as the primary.",
                          target="networkInterfaces")
        if self.current is not None:
            before = sorted(n["id"].lower() for n in self.cur["networkProfile"]["networkInterfaces"])
            if before != sorted(n["id"].lower() for n in out) and power(self.current) != "deallocated":
                raise not_allowed("Adding or removing network interfaces requires the VM to be deallocated.")
        props["networkProfile"] = {"networkInterfaces": out}

    def nic(self, nic_id: Any) -> str:
        if not isinstance(nic_id, str) or not nic_id:
            raise invalid("The value of parameter networkInterfaces.id is invalid.", target="networkInterfaces.id")
        nic = self.ctx.resolve(nic_id)
        if nic is None or nic.rtype.key != NIC_TYPE:
            raise ArmError(404, "NotFound", f"Resource {nic_id} not found.")
        if self.location and nic.location != self.location:
            raise invalid(f"The network interface {nic.id} is in location '{nic.location}', but the virtual machine "
                          f"is in '{self.location}'. A network interface and its virtual machine must be in the "
                          "same location.", target="networkInterfaces")
        for user, path in self.ctx.referrers(nic.id):
            if (user.rtype.key == VM_TYPE and path.startswith("properties.networkProfile")
                    and (self.current is None or user.id.lower() != self.current.id.lower())):
                raise ArmError.bad_request("NicInUse", f"Network Interface {nic.id} is used by existing VM {user.id}.")
        return nic.id

    def availability_set(self, props: dict) -> None:
        """Only at creation, and (every azemu VM having managed disks) only an Aligned set."""
        ref = props.get("availabilitySet")
        current_ref = self.cur.get("availabilitySet")
        if self.current is not None:
            if ref is not None and not _same(obj(ref, "availabilitySet").get("id"), (current_ref or {}).get("id")):
                raise change_not_allowed("availabilitySet")
            if current_ref:
                props["availabilitySet"] = current_ref
            return
        if ref is None:
            return
        ref_id = obj(ref, "availabilitySet").get("id")
        avset = self.ctx.resolve(ref_id) if isinstance(ref_id, str) else None
        if avset is None or avset.rtype.key != "microsoft.compute/availabilitysets":
            raise ArmError(404, "NotFound", f"The Availability Set {ref_id} cannot be found.")
        if self.location and avset.location != self.location:
            raise invalid(f"The availability set {avset.id} is in location '{avset.location}', not in the virtual "
                          f"machine's location '{self.location}'.", target="availabilitySet")
        if avset.body.get("sku", {}).get("name") != "Aligned":
            raise ArmError.bad_request(
                "BadRequest", "Addition of a VM with managed disks to non-managed Availability Set or addition of a VM "
                "with blob based disks to managed Availability Set is not supported. Please create an Availability Set "
                "with 'managed' property set in order to add a VM with managed disks to it.")
        props["availabilitySet"] = {"id": upper_id(avset.id)}

"""Microsoft.Compute/disks: the managed OS disk each VM gets, as Azure shows it.

azemu makes the disk when the VM's creation completes (named as the VM's `osDisk.name`, which
Azure generates as `{vm}_OsDisk_1_{guid}` when the client gives none), with `managedBy` the
VM. Deleting the VM deletes the disk when `osDisk.deleteOption` is `Delete`; otherwise the disk
stays, `Unattached`. An attached disk cannot be deleted. Clients may also create empty disks
(`creationData.createOption: Empty`) and change tags.
"""

from __future__ import annotations

from typing import Any

from ...arm.context import Ctx, Res
from ...arm.fields import is_integer
from ...arm.lro import COMPUTE
from ...arm.registry import register
from ...arm.resource_type import ResourceType
from ...errors import ArmError
from ...store import Record
from . import images
from .enums import DISK_CREATE, DISK_SKU
from .vm_checks import MAX_DISK_GB

TYPE_KEY = "microsoft.compute/disks"


def os_disk_body(ctx: Ctx, res: Res) -> dict[str, Any]:
    """The disk record of VM `res`'s OS disk, as Azure shows it once the VM exists."""
    props = res.props
    disk = props["storageProfile"]["osDisk"]
    image = props["storageProfile"]["imageReference"]
    disk_id = f"/subscriptions/{res.subscription}/resourceGroups/{res.resource_group}/providers/Microsoft.Compute/disks/{disk['name']}"
    disk_type = disk["managedDisk"]["storageAccountType"]
    return {
        "name": disk["name"], "id": disk_id, "type": "Microsoft.Compute/disks", "location": res.location,
        "managedBy": res.id,
        "sku": {"name": disk_type, "tier": "Premium" if disk_type.startswith("Premium") else "Standard"},
        "properties": {
            "osType": "Linux", "hyperVGeneration": images.lookup(image).generation,
            "creationData": {"createOption": "FromImage", "imageReference": {"id": (
                f"/Subscriptions/{res.subscription}/Providers/Microsoft.Compute/Locations/{res.location}/Publishers/"
                f"{image['publisher']}/ArtifactTypes/VMImage/Offers/{image['offer']}/Skus/{image['sku']}/Versions/"
                f"{image['exactVersion']}")}},
            "diskSizeGB": disk["diskSizeGB"], "diskSizeBytes": disk["diskSizeGB"] * 1024 ** 3,
            "uniqueId": ctx.new_guid(),
            "networkAccessPolicy": "AllowAll", "publicNetworkAccess": "Enabled",
            "encryption": {"type": "EncryptionAtRestWithPlatformKey"},
            "timeCreated": props["timeCreated"], "provisioningState": "Succeeded", "diskState": "Attached"}}


def create_os_disk(ctx: Ctx, vm: Res) -> str:
    """Store VM `vm`'s OS disk; returns the id the VM refers to it by (resource group upper-cased,
    as Compute returns it)."""
    body = os_disk_body(ctx, vm)
    now = ctx.now_iso()
    ctx.store.put(Record(body=body, type_key=TYPE_KEY, created=now, changed=now))
    return body["id"].replace(f"/resourceGroups/{vm.resource_group}/", f"/resourceGroups/{vm.resource_group.upper()}/")


def detach(ctx: Ctx, disk_id: str) -> None:
    record = ctx.store.get(disk_id)
    if record is not None:
        record.body.pop("managedBy", None)
        record.body["properties"]["diskState"] = "Unattached"


@register
class Disks(ResourceType):
    provider = "Microsoft.Compute"
    type = "disks"
    lro = COMPUTE
    has_etag = False
    creating_state = "Creating"
    read_only = ("diskState", "timeCreated", "uniqueId", "diskSizeBytes", "osType", "hyperVGeneration")

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        props = out["properties"]
        sku = out.get("sku") if isinstance(out.get("sku"), dict) else {}
        name = DISK_SKU.check(sku.get("name") or (current.body["sku"]["name"] if current else "Standard_LRS"),
                              "sku.name")
        out["sku"] = {"name": name, "tier": "Premium" if name.startswith("Premium") else "Standard"}
        size = props.get("diskSizeGB", current.props.get("diskSizeGB") if current else None)
        if not is_integer(size) or not 1 <= size <= MAX_DISK_GB:
            raise ArmError.bad_request("InvalidParameter", "The value of parameter diskSizeGB is invalid.",
                                       target="diskSizeGB")
        props["diskSizeGB"] = size
        if current is None:
            creation = props.get("creationData") if isinstance(props.get("creationData"), dict) else {}
            if DISK_CREATE.check(creation.get("createOption"), "creationData.createOption") != "Empty":
                raise ArmError.bad_request("InvalidParameter", "The value of parameter creationData.createOption is "
                                           "invalid: azemu creates disks with createOption Empty only.",
                                           target="creationData.createOption")
            props["creationData"] = {"createOption": "Empty"}
        else:
            props["creationData"] = current.props["creationData"]
            if "managedBy" in current.body:
                out["managedBy"] = current.body["managedBy"]
        return out

    def fill(self, ctx, res, current):
        if current is None:
            res.props.setdefault("uniqueId", ctx.new_guid())
            res.props.setdefault("timeCreated", ctx.now_iso())
            res.props["diskState"] = "Unattached"
        res.props["diskSizeBytes"] = res.props["diskSizeGB"] * 1024 ** 3

    def check_delete(self, ctx, res):
        if res.body.get("managedBy"):
            raise ArmError.conflict("OperationNotAllowed", f"Disk {res.name} is attached to VM {res.body['managedBy']}.")

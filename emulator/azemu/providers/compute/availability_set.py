"""Microsoft.Compute/availabilitySets.

What Azure does and azemu copies (the recording test_compute_availability_sets and the
AvailabilitySet_Create example):
- PUT, PATCH and DELETE are synchronous: 200 with the set (even on create), DELETE 200 with
  no body; there is no etag and no provisioningState;
- no `sku` means `Classic`; `Aligned` is the SKU for VMs with managed disks;
- fault domains 1-3 (default 2), update domains 1-20 (default 5), and neither can change once
  the set exists (`PropertyChangeNotAllowed`); Aligned cannot go back to Classic;
- GET lists the member VMs in `virtualMachines` (ids upper-cased, as Azure returns them); the
  PUT answer does not; a set with VMs cannot be deleted;
- `GET .../availabilitySets/{name}/vmSizes` lists the sizes a VM of the set may have: every size
  azemu offers, as for an empty set (azemu has one kind of host).
"""

from __future__ import annotations

from ...arm.context import Ctx, Res
from ...arm.lro import COMPUTE
from ...arm.registry import register
from ...arm.resource_type import ResourceType, action
from ...errors import ArmError
from . import vm_sizes
from .enums import AVAILABILITY_SET_SKU

FAULT_DOMAINS = (1, 3)
UPDATE_DOMAINS = (1, 20)
DEFAULTS = {"platformFaultDomainCount": 2, "platformUpdateDomainCount": 5}
VMS_TYPE = "Microsoft.Compute/virtualMachines"


def upper_id(resource_id: str) -> str:
    """Azure's Compute returns the resource group and name of some references upper-cased."""
    parts = resource_id.split("/")
    for i in (4, len(parts) - 1):
        parts[i] = parts[i].upper()
    return "/".join(parts)


def members(ctx: Ctx, avset_id: str) -> list[Res]:
    return [vm for vm, path in ctx.referrers(avset_id)
            if vm.rtype.full_type.lower() == VMS_TYPE.lower() and path == "properties.availabilitySet"]


def _count(props: dict, key: str, bounds: tuple[int, int], what: str) -> int:
    value = props.get(key, DEFAULTS[key])
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArmError.bad_request("InvalidParameter", f"The value of parameter {key} is invalid.", target=key)
    if not bounds[0] <= value <= bounds[1]:
        raise ArmError.bad_request(
            "InvalidParameter", f"The specified {what} count {value} must fall in the range {bounds[0]} to {bounds[1]}.",
            target=key)
    return value


@register
class AvailabilitySets(ResourceType):
    provider = "Microsoft.Compute"
    type = "availabilitySets"
    lro = COMPUTE
    long_running = False
    create_status = 200
    has_etag = False
    read_only = ("virtualMachines", "statuses")

    def check_name(self, ctx, name):
        if not 1 <= len(name) <= 80:
            raise ArmError.bad_request("InvalidParameter", "The availability set name must be 1 to 80 characters long.",
                                       target="availabilitySetName")

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        props = out["properties"]
        sku = out.get("sku") or {}
        if not isinstance(sku, dict):
            raise ArmError.bad_request("InvalidParameter", "The value of parameter sku is invalid.", target="sku")
        default = current.body.get("sku", {}).get("name", "Classic") if current else "Classic"
        out["sku"] = {"name": AVAILABILITY_SET_SKU.check(sku.get("name") or default, "sku.name")}
        props["platformFaultDomainCount"] = _count(props, "platformFaultDomainCount", FAULT_DOMAINS, "fault domain")
        props["platformUpdateDomainCount"] = _count(props, "platformUpdateDomainCount", UPDATE_DOMAINS, "update domain")
        if current is not None:
            for key in ("platformFaultDomainCount", "platformUpdateDomainCount"):
                if props[key] != current.props.get(key):
                    raise ArmError.conflict("PropertyChangeNotAllowed", f"Changing property '{key}' is not allowed.",
                                            target=key)
            if current.body.get("sku", {}).get("name") == "Aligned" and out["sku"]["name"] == "Classic":
                raise ArmError.conflict("OperationNotAllowed",
                                        "Changing availability set SKU from 'Aligned' to 'Classic' is not allowed.")
        return out

    def render(self, ctx, res, out):
        props = out["properties"]
        props.pop("provisioningState", None)
        if ctx.request is not None and ctx.request.method in ("PUT", "PATCH"):
            return
        props["virtualMachines"] = [{"id": upper_id(vm.id)} for vm in members(ctx, res.id)]

    def check_delete(self, ctx, res):
        if members(ctx, res.id):
            raise ArmError.conflict(
                "OperationNotAllowed",
                f"Availability Set {res.name} cannot be deleted. Before deleting an Availability Set please ensure "
                "that it does not contain any VM.")

    @action("vmSizes", method="GET", long_running=False)
    def list_sizes(self, ctx, res, body):
        return vm_sizes.listing()

"""The enums Microsoft.Compute checks, as the specs name and spell them (2024-11-01
`computeRPCommon.json`; the disk ones as azure-mgmt-compute's models, generated from the disk
spec, have them): accepted in any case, stored and answered in these spellings. Where azemu
takes fewer values than Azure, the values are the ones it takes."""

from __future__ import annotations

from typing import Any

from ...arm.fields import Enum, enum
from ...errors import ArmError

NS = "Microsoft.Compute"


def refuse(value: Any, what: str, allowed: Enum) -> ArmError:
    return ArmError.bad_request("InvalidParameter", f"The value {value} of parameter {what} is invalid.", target=what)


# UltraSSD_LRS is for data disks only, which azemu does not emulate.
OS_DISK_TYPE = enum(NS, "StorageAccountTypes", "Standard_LRS", "Premium_LRS", "StandardSSD_LRS", "Premium_ZRS",
                    "StandardSSD_ZRS", "PremiumV2_LRS", refuse=refuse)
DISK_SKU = enum(NS, "DiskStorageAccountTypes", "Standard_LRS", "Premium_LRS", "StandardSSD_LRS", "Premium_ZRS",
                "StandardSSD_ZRS", "PremiumV2_LRS", refuse=refuse)
CACHING = enum(NS, "CachingTypes", "None", "ReadOnly", "ReadWrite", refuse=refuse)
OS_DISK_CREATE = enum(NS, "DiskCreateOptionTypes", "FromImage", "Empty", "Attach", "Copy", "Restore", refuse=refuse)
DISK_CREATE = enum(NS, "DiskCreateOption", "Empty", "Attach", "FromImage", "Import", "Copy", "Restore", "Upload",
                   "CopyStart", "ImportSecure", "UploadPreparedSecure", "CopyFromSanSnapshot", refuse=refuse)
OS_DISK_DELETE = enum(NS, "DiskDeleteOptionTypes", "Delete", "Detach", refuse=refuse)
NIC_DELETE = enum(NS, "DeleteOptions", "Delete", "Detach", refuse=refuse)
# Not an x-ms-enum in the spec (`Sku.name` is a string); Compute takes these two, in any case.
AVAILABILITY_SET_SKU = enum(NS, "AvailabilitySetSkuTypes", "Classic", "Aligned", refuse=refuse)

"""The VM sizes azemu offers in every region: the usual B, D and F sizes.

Figures as `GET .../providers/Microsoft.Compute/locations/{loc}/vmSizes` reports them
(cores, memory in MB, data disks, OS and temporary disk sizes in MB). `premium` is whether the
size takes premium SSDs (the "s" in its name), which Azure checks against the OS disk's
storage account type.
"""

from __future__ import annotations

from typing import NamedTuple

from ...arm.registry import location_endpoint
from ...errors import ArmError


class Size(NamedTuple):
    name: str
    cores: int
    memory_mb: int
    max_data_disks: int
    resource_disk_mb: int
    premium: bool


OS_DISK_MB = 1047552

SIZES: tuple[Size, ...] = (
    Size("Standard_B1ls", 1, 512, 2, 4096, True),
    Size("Standard_B1s", 1, 1024, 2, 4096, True),
    Size("Standard_B1ms", 1, 2048, 2, 4096, True),
    Size("Standard_B2s", 2, 4096, 4, 8192, True),
    Size("Standard_B2ms", 2, 8192, 4, 16384, True),
    Size("Standard_B4ms", 4, 16384, 8, 32768, True),
    Size("Standard_B2ats_v2", 2, 1024, 4, 0, True),
    Size("Standard_B2als_v2", 2, 4096, 4, 0, True),
    Size("Standard_B2s_v2", 2, 8192, 4, 0, True),
    Size("Standard_DS1_v2", 1, 3584, 4, 7168, True),
    Size("Standard_DS2_v2", 2, 7168, 8, 14336, True),
    Size("Standard_D1_v2", 1, 3584, 4, 51200, False),
    Size("Standard_D2_v2", 2, 7168, 8, 102400, False),
    Size("Standard_D2_v3", 2, 8192, 4, 51200, False),
    Size("Standard_D2s_v3", 2, 8192, 4, 16384, True),
    Size("Standard_D2_v5", 2, 8192, 4, 0, False),
    Size("Standard_D2s_v5", 2, 8192, 4, 0, True),
    Size("Standard_D4s_v5", 4, 16384, 8, 0, True),
    Size("Standard_D2as_v5", 2, 8192, 4, 0, True),
    Size("Standard_D2ds_v5", 2, 8192, 4, 76800, True),
    Size("Standard_D2s_v6", 2, 8192, 8, 0, True),
    Size("Standard_F1s", 1, 2048, 4, 4096, True),
    Size("Standard_F2s_v2", 2, 4096, 4, 16384, True),
    Size("Standard_F4s_v2", 4, 8192, 8, 32768, True),
)
BY_NAME = {s.name.lower(): s for s in SIZES}


def find(name: object) -> Size | None:
    return BY_NAME.get(name.lower()) if isinstance(name, str) else None


def require(name: object) -> Size:
    """The size called `name`, or Azure's error for a size the region does not offer."""
    size = find(name)
    if size is None:
        raise ArmError.bad_request(
            "InvalidParameter",
            f"The requested VM size {name} is not available in the current region. The sizes available in "
            f"the current region are: {', '.join(s.name for s in SIZES)}. Find out more on the available VM "
            "sizes in each region at https://aka.ms/azure-regions.",
            target="vmSize")
    return size


def listing() -> dict:
    """The sizes as Compute lists them: `{value: [...]}` (VirtualMachineSizes_List, and
    AvailabilitySets_ListAvailableSizes as recorded in test_vm_availset.yaml)."""
    return {"value": [{
        "name": s.name, "numberOfCores": s.cores, "osDiskSizeInMB": OS_DISK_MB,
        "resourceDiskSizeInMB": s.resource_disk_mb, "memoryInMB": s.memory_mb,
        "maxDataDiskCount": s.max_data_disks} for s in SIZES]}


@location_endpoint("Microsoft.Compute", "vmSizes")
def vm_sizes(ctx, sub: str, location: str) -> dict:
    """GET .../providers/Microsoft.Compute/locations/{loc}/vmSizes: the same sizes everywhere."""
    return listing()

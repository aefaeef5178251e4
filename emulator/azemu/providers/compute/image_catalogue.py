"""The platform images azemu offers, in every region: publishers -> offers -> skus -> versions.

The one table behind the VM image API (image_api.py), the image alias document and the check
of a VM's `imageReference` (images.py): a name is written here once. Names and version
strings are Azure's: Canonical's, Debian's, Red Hat's and Microsoft's current images, the
ones az's image aliases name, and those the Azure CLI recordings create VMs from
(`OpenLogic:CentOS:7.5`, `Canonical:UbuntuServer:18.04-LTS` with the versions recorded) and
the tutorial's `Canonical:UbuntuServer:14.04.4-LTS`.

Every image is plan-less (no marketplace terms) and x64: azemu offers no Arm64 size, and
leaves out images that need a purchase plan (Flatcar). Windows images can be listed and read;
a VM cannot be created from them (azemu's VMs are Linux, see images.py).

What each version shows (`VirtualMachineImages_Get`) follows the recorded answers
(recordings/azure-cli/vm/test_vm_image_show.yaml, test_vm_create_*.yaml) and Microsoft's
trusted-launch documentation: Gen1 images are `Unmanaged` replicas, Gen2 images `Managed` ones
(they take no unmanaged disk), all sized in bytes as a VHD (`disk_gb` GiB, or the sku's
`disk_mib` where a recording shows another size, plus the 512-byte footer); `features` as those
answers list them (none for the older images, as the CentOS 7.5 recording shows).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Features = tuple[tuple[str, str], ...]

ACCELERATED = (("IsAcceleratedNetworkSupported", "True"),)
NVME = (("DiskControllerTypes", "SCSI, NVMe"),)
HIBERNATE = (("IsHibernateSupported", "True"),)
TRUSTED_LAUNCH = (("SecurityType", "TrustedLaunchSupported"),)
CONFIDENTIAL = (("SecurityType", "TrustedLaunchAndConfidentialVmSupported"),)
# The Ubuntu 22.04 Gen2 image of the trusted-launch documentation, and its Gen1 sibling.
LINUX_GEN2 = TRUSTED_LAUNCH + ACCELERATED + NVME + HIBERNATE
LINUX_GEN1 = ACCELERATED + NVME + HIBERNATE


@dataclass(frozen=True)
class Sku:
    name: str
    generation: str                          # hyperVGeneration: V1 or V2
    features: Features = ()
    versions: tuple[str, ...] = ()           # oldest first; empty: the offer's
    auto_os_upgrade: bool = False            # automaticOSUpgradeProperties.automaticOSUpgradeSupported
    disk_mib: int | None = None              # the OS disk's size where it is not the offer's disk_gb


@dataclass(frozen=True)
class Offer:
    publisher: str
    name: str
    os_type: str                             # Linux or Windows (osDiskImage.operatingSystem)
    os_name: str                             # what the guest agent reports (instance view)
    os_version: str
    disk_gb: int                             # size of the image's OS disk
    versions: tuple[str, ...]                # oldest first
    skus: tuple[Sku, ...] = field(default=())


UBUNTU_2404 = ("24.04.202509090", "24.04.202510010")
UBUNTU_2204 = ("22.04.202411010", "22.04.202509100", "22.04.202510020")
DEBIAN_12 = ("0.20250905.2228", "0.20251006.2257")
WINDOWS = dict(os_type="Windows", os_name="Windows Server", disk_gb=127)

OFFERS: tuple[Offer, ...] = (
    Offer("Canonical", "ubuntu-24_04-lts", "Linux", "ubuntu", "24.04", 30, UBUNTU_2404, (
        Sku("server", "V2", LINUX_GEN2), Sku("server-gen1", "V1", LINUX_GEN1))),
    Offer("Canonical", "0001-com-ubuntu-server-jammy", "Linux", "ubuntu", "22.04", 30, UBUNTU_2204, (
        Sku("22_04-lts-gen2", "V2", LINUX_GEN2), Sku("22_04-lts", "V1", LINUX_GEN1))),
    Offer("Canonical", "UbuntuServer", "Linux", "ubuntu", "18.04", 30, (), (
        # Both versions as recorded (az vm image show; az vm create ... :latest), 30 GiB + 1 MiB.
        Sku("18.04-LTS", "V1", LINUX_GEN1, ("18.04.202002180", "18.04.202306070"), auto_os_upgrade=True,
            disk_mib=30 * 1024 + 1),
        Sku("14.04.4-LTS", "V1", (), ("14.04.201602171", "14.04.201604060")))),
    Offer("Debian", "debian-12", "Linux", "debian", "12", 30, DEBIAN_12, (
        Sku("12-gen2", "V2", LINUX_GEN2), Sku("12", "V1", LINUX_GEN1))),
    Offer("Debian", "debian-11", "Linux", "debian", "11", 30, ("0.20250608.2138", "0.20250905.2228"), (
        Sku("11-backports-gen2", "V2", LINUX_GEN2), Sku("11-gen2", "V2", LINUX_GEN2), Sku("11", "V1", LINUX_GEN1))),
    Offer("RedHat", "RHEL", "Linux", "redhat", "9.5", 64, ("9.4.2024081413", "9.5.2025011310"), (
        Sku("9-lvm-gen2", "V2", TRUSTED_LAUNCH + ACCELERATED), Sku("9-lvm", "V1", ACCELERATED),
        Sku("8-lvm-gen2", "V2", TRUSTED_LAUNCH + ACCELERATED, ("8.10.2024082013", "8.10.2025011310")))),
    Offer("OpenLogic", "CentOS", "Linux", "centos", "7.5", 30, (), (
        Sku("7.5", "V1", (), ("7.5.201808150",), auto_os_upgrade=True),   # as recorded
        Sku("8_5-gen2", "V2", TRUSTED_LAUNCH + ACCELERATED, ("8.5.2022012100", "8.5.2022101800")))),
    Offer("SUSE", "openSUSE-leap-15-4", "Linux", "opensuse-leap", "15.4", 30, ("2023.06.07", "2023.11.22"), (
        Sku("gen2", "V2", TRUSTED_LAUNCH + ACCELERATED),)),
    Offer("SUSE", "sles-15-sp3", "Linux", "sles", "15.3", 30, ("2023.12.06", "2024.02.07"), (
        Sku("gen2", "V2", TRUSTED_LAUNCH + ACCELERATED),)),
    Offer("microsoftazurelinux", "azurelinux-4", "Linux", "azurelinux", "4.0", 30, ("4.0.20260512",), (
        Sku("4", "V2", LINUX_GEN2), Sku("4-gen1", "V1", LINUX_GEN1))),
    Offer("MicrosoftWindowsServer", "WindowsServer", os_version="2022", **WINDOWS,
          versions=("20348.1906.230803", "20348.2849.241106"), skus=(
              # The 2022 Azure Edition image of the trusted-launch documentation.
              Sku("2022-datacenter-azure-edition", "V2", CONFIDENTIAL + ACCELERATED + NVME + HIBERNATE),
              Sku("2022-datacenter-azure-edition-core", "V2", CONFIDENTIAL + ACCELERATED + NVME + HIBERNATE),
              Sku("2022-datacenter-g2", "V2", TRUSTED_LAUNCH + ACCELERATED + HIBERNATE),
              Sku("2019-datacenter-gensecond", "V2", TRUSTED_LAUNCH + ACCELERATED,
                  ("17763.6414.241004", "17763.6532.241106")),
              Sku("2016-datacenter-gensecond", "V2", TRUSTED_LAUNCH + ACCELERATED,
                  ("14393.7428.241004", "14393.7515.241106")),
              Sku("2012-R2-Datacenter", "V1", ACCELERATED, ("9600.21620.231004",)),
              Sku("2012-Datacenter", "V1", ACCELERATED, ("9200.24523.231004",)))),
)

# The aliases az 2.91 knows (its copy of the alias document,
# metadata/vm-image-aliases/aliases.azure-cli-2.91.0-fallback.json) and the current ones
# `az vm create --image` takes (Ubuntu2404, Debian12), for the images above: alias ->
# (publisher, offer, sku). Left out: AzureLinux4Arm64 (Arm64) and FlatcarLinuxFreeGen2 (a plan).
ALIASES: dict[str, tuple[str, str, str]] = {
    "AzureLinux4": ("microsoftazurelinux", "azurelinux-4", "4"),
    "AzureLinux4Gen1": ("microsoftazurelinux", "azurelinux-4", "4-gen1"),
    "CentOS85Gen2": ("OpenLogic", "CentOS", "8_5-gen2"),
    "Debian11": ("Debian", "debian-11", "11-backports-gen2"),
    "Debian12": ("Debian", "debian-12", "12-gen2"),
    "OpenSuseLeap154Gen2": ("SUSE", "openSUSE-leap-15-4", "gen2"),
    "RHELRaw8LVMGen2": ("RedHat", "RHEL", "8-lvm-gen2"),
    "SuseSles15SP3": ("SUSE", "sles-15-sp3", "gen2"),
    "Ubuntu2204": ("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2"),
    "Ubuntu2404": ("Canonical", "ubuntu-24_04-lts", "server"),
    "Win2022Datacenter": ("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-g2"),
    "Win2022AzureEditionCore": ("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition-core"),
    "Win2019Datacenter": ("MicrosoftWindowsServer", "WindowsServer", "2019-datacenter-gensecond"),
    "Win2016Datacenter": ("MicrosoftWindowsServer", "WindowsServer", "2016-datacenter-gensecond"),
    "Win2012R2Datacenter": ("MicrosoftWindowsServer", "WindowsServer", "2012-R2-Datacenter"),
    "Win2012Datacenter": ("MicrosoftWindowsServer", "WindowsServer", "2012-Datacenter"),
}

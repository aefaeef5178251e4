"""The platform (marketplace) images azemu knows: current Ubuntu LTS and Debian releases.

A VM's `imageReference` names publisher, offer, sku and version; `latest` means the newest
version, which Azure reports back as `exactVersion`. Names compare without case, as in
Azure. Every image here is a Linux image.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ...errors import ArmError

FIELDS = ("publisher", "offer", "sku", "version")



class Image(NamedTuple):
    versions: tuple[str, ...]     # oldest first
    os_name: str                  # what the guest agent reports in the instance view
    os_version: str
    generation: str               # Hyper-V generation


UBUNTU_2404 = ("24.04.202509090", "24.04.202510010")
UBUNTU_2204 = ("22.04.202509100", "22.04.202510020")
DEBIAN = ("0.20250905.2228", "0.20251006.2257")

# (publisher, offer, sku), lower case -> Image
IMAGES: dict[tuple[str, str, str], Image] = {
    ("canonical", "ubuntu-24_04-lts", "server"): Image(UBUNTU_2404, "ubuntu", "24.04", "V2"),
    ("canonical", "ubuntu-24_04-lts", "server-gen1"): Image(UBUNTU_2404, "ubuntu", "24.04", "V1"),
    ("canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2"): Image(UBUNTU_2204, "ubuntu", "22.04", "V2"),
    ("canonical", "0001-com-ubuntu-server-jammy", "22_04-lts"): Image(UBUNTU_2204, "ubuntu", "22.04", "V1"),
    ("debian", "debian-12", "12-gen2"): Image(DEBIAN, "debian", "12", "V2"),
    ("debian", "debian-12", "12"): Image(DEBIAN, "debian", "12", "V1"),
    ("debian", "debian-11", "11-backports-gen2"): Image(DEBIAN[:1], "debian", "11", "V2"),
}


def resolve(ref: Any) -> dict[str, Any]:
    """Check an imageReference and return it with `exactVersion`; Azure's errors otherwise."""
    if not isinstance(ref, dict):
        raise ArmError.bad_request("InvalidParameter", "Required parameter 'imageReference' is missing (null).",
                                   target="imageReference")
    other = ref.get("id") or ref.get("sharedGalleryImageId") or ref.get("communityGalleryImageId")
    if other:
        raise ArmError(404, "NotFound", f"The Image {other} cannot be found.")
    for field in FIELDS:
        value = ref.get(field)
        if not isinstance(value, str) or not value.strip():
            raise ArmError.bad_request("InvalidParameter", f"The value of parameter imageReference.{field} is invalid.",
                                       target=f"imageReference.{field}")
    known = lookup(ref)
    versions = known.versions if known else ()
    version = ref["version"]
    exact = versions[-1] if versions and version.lower() == "latest" else (version if version in versions else None)
    if exact is None:
        raise ArmError(
            404, "PlatformImageNotFound",
            f"The platform image '{ref['publisher']}:{ref['offer']}:{ref['sku']}:{version}' is not available. Verify "
            "that all fields in the storage profile are correct. For more details about storage profile "
            "information, please refer to https://aka.ms/storageprofile", target="imageReference")
    out = {field: ref[field] for field in FIELDS}
    out["exactVersion"] = exact
    return out


def lookup(ref: dict[str, Any]) -> Image | None:
    return IMAGES.get((ref["publisher"].lower(), ref["offer"].lower(), ref["sku"].lower()))

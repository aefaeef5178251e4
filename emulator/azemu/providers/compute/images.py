"""The platform images of image_catalogue.py as the rest of Compute uses them: looked up by
name (without case, as Azure compares them), their versions in order, a VM's `imageReference`
checked and resolved, and the image alias document.

A VM's `imageReference` names publisher, offer, sku and version; `latest` means the newest
version, which Azure reports back as `exactVersion`. Versions order as numbers, field by field
(`20348.887.220806` before `20348.2849.241106`), as Azure's `$orderby=name desc` and `latest`
do. azemu's VMs run Linux: a Windows image is refused when a VM is created from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...errors import ArmError
from .image_catalogue import ALIASES, OFFERS, Offer, Sku

FIELDS = ("publisher", "offer", "sku", "version")
ARCHITECTURE = "x64"
ALIAS_SCHEMA = "http://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json"


def version_key(version: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in re.split(r"[.]", version))


@dataclass(frozen=True)
class Image:
    """One sku of the catalogue, with its offer."""
    offer: Offer
    sku: Sku

    publisher = property(lambda self: self.offer.publisher)
    generation = property(lambda self: self.sku.generation)
    os_type = property(lambda self: self.offer.os_type)
    os_name = property(lambda self: self.offer.os_name)
    os_version = property(lambda self: self.offer.os_version)
    disk_gb = property(lambda self: self.offer.disk_gb)
    disk_bytes = property(lambda self: (self.sku.disk_mib or self.offer.disk_gb * 1024) * 1024 ** 2)
    architecture = ARCHITECTURE

    @property
    def versions(self) -> list[str]:
        """Oldest first."""
        return sorted(self.sku.versions or self.offer.versions, key=version_key)

    def version(self, wanted: str) -> str | None:
        """The version called `wanted` (`latest`: the newest), as the catalogue spells it."""
        if wanted.lower() == "latest":
            return self.versions[-1]
        return next((v for v in self.versions if v.lower() == wanted.lower()), None)

    @property
    def urn(self) -> str:
        return f"{self.publisher}:{self.offer.name}:{self.sku.name}"


def _key(*names: str) -> tuple[str, ...]:
    return tuple(name.lower() for name in names)


IMAGES: dict[tuple[str, str, str], Image] = {
    _key(o.publisher, o.name, s.name): Image(o, s) for o in OFFERS for s in o.skus}


def publishers() -> list[str]:
    return sorted({o.publisher for o in OFFERS}, key=str.lower)


def offers(publisher: str) -> list[Offer] | None:
    """The publisher's offers, None when azemu knows no such publisher."""
    found = [o for o in OFFERS if o.publisher.lower() == publisher.lower()]
    return sorted(found, key=lambda o: o.name.lower()) if found else None


def skus(publisher: str, offer: str) -> list[Image] | None:
    """The offer's skus, None when azemu knows no such offer."""
    found = [i for k, i in IMAGES.items() if k[:2] == _key(publisher, offer)]
    return sorted(found, key=lambda i: i.sku.name.lower()) if found else None


def find(publisher: str, offer: str, sku: str) -> Image | None:
    return IMAGES.get(_key(publisher, offer, sku))


def lookup(ref: dict[str, Any]) -> Image | None:
    """The image a (checked) imageReference names."""
    return find(ref["publisher"], ref["offer"], ref["sku"])


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
    image = lookup(ref)
    exact = image.version(ref["version"]) if image else None
    if exact is None:
        raise ArmError(
            404, "PlatformImageNotFound",
            f"The platform image '{ref['publisher']}:{ref['offer']}:{ref['sku']}:{ref['version']}' is not available. "
            "Verify that all fields in the storage profile are correct. For more details about storage profile "
            "information, please refer to https://aka.ms/storageprofile", target="imageReference")
    if image.os_type != "Linux":
        raise ArmError.bad_request(
            "InvalidParameter", f"The platform image '{image.urn}:{exact}' is a {image.os_type} image; azemu "
            "emulates Linux virtual machines only.", target="imageReference")
    out = {field: ref[field] for field in FIELDS}
    out["exactVersion"] = exact
    return out


def alias_document() -> dict[str, Any]:
    """The image alias document (`vmImageAliasDoc`), shaped as az 2.91 reads it:
    `outputs.aliases.value.{Linux,Windows}.{alias}` with publisher, offer, sku, version and
    architecture (metadata-endpoints.md section 3)."""
    groups: dict[str, dict[str, Any]] = {"Linux": {}, "Windows": {}}
    for alias, names in sorted(ALIASES.items()):
        image = find(*names)
        groups[image.os_type][alias] = {"publisher": image.publisher, "offer": image.offer.name,
                                        "sku": image.sku.name, "version": "latest",
                                        "architecture": image.architecture}
    return {"$schema": ALIAS_SCHEMA, "contentVersion": "1.0.0.0", "parameters": {}, "variables": {},
            "resources": [], "outputs": {"aliases": {"type": "object", "value": groups}}}

"""The VM image API (VirtualMachineImages_ListPublishers, _ListOffers, _ListSkus, _List, _Get of
specs/compute/2024-11-01/virtualMachineImage.json) over images.py, and the image alias
document at the URL the cloud metadata advertises (`vmImageAliasDoc`).

As Azure answers (recordings/azure-cli/vm/test_vm_image_show.yaml, test_vm_create_*.yaml):
- the lists are bare JSON arrays of `{location, name, id}`, not `{value: [...]}` pages; ids are
  `/Subscriptions/{sub}/Providers/Microsoft.Compute/Locations/{loc}/Publishers/{p}/ArtifactTypes/
  VMImage/Offers/{o}/Skus/{s}/Versions/{v}` in that casing, names as the catalogue spells them;
  skus carry `properties.automaticOSUpgradeProperties` (as `az vm image list-skus` shows);
- the versions list takes `$orderby=name`, `name asc` or `name desc` (versions ordered as
  numbers; ascending without it), then `$top`; `$expand=Properties` adds each version's
  `properties` (VirtualMachineImages_ListWithProperties, a bare array as az 2.91's VMImageList
  and azure-mgmt-compute 39 read it, and as Compute's owners describe it in
  Azure/azure-rest-api-specs#33958; the 2024-11-01 swagger documents a `{value}` page), and so does
  `$expand=properties/imageDeprecationStatus`, which `az vm image list --all` sends and from
  which it reads `properties.architecture` and `properties.imageDeprecationStatus`;
- Get takes `latest` for the newest version and answers with the version's real name;
- unknown names are 404 `NotFound`: `Publisher: {p} was not found.` for an unknown publisher's
  offers, `Artifact: VMImage was not found.` for everything deeper (the messages Azure's
  clients report, e.g. Azure/azure-cli#6622, Get-AzVMImageSku).
The edge zone variants (`.../edgeZones/{zone}/publishers/...`) are not served.

The alias document is served without a token at `/vmImageAliases.json`, as
raw.githubusercontent.com serves Azure's (`text/plain`, cached for 5 minutes, an ETag; the
recorded test_vm_image_list_by_alias.yaml), and, through the proxy, at the public URLs Azure's
clients read it from (`documents.py`).
"""

from __future__ import annotations

from typing import Any

from ...arm.registry import location_endpoint, public_document
from ...errors import ArmError
from . import images
from .images import Image

IMAGES = "publishers/{publisher}/artifacttypes/vmimage/offers"
ALIAS_DOCUMENT_PATH = "/vmImageAliases.json"


def _not_found(message: str = "Artifact: VMImage was not found.") -> ArmError:
    return ArmError(404, "NotFound", message)


def _publisher_id(sub: str, location: str, publisher: str) -> str:
    return f"/Subscriptions/{sub}/Providers/Microsoft.Compute/Locations/{location}/Publishers/{publisher}"


def _entry(location: str, name: str, resource_id: str, **extra: Any) -> dict[str, Any]:
    return {**extra, "location": location, "name": name, "id": resource_id}


def _sku_id(sub: str, location: str, image: Image) -> str:
    return (f"{_publisher_id(sub, location, image.publisher)}/ArtifactTypes/VMImage/Offers/{image.offer.name}"
            f"/Skus/{image.sku.name}")


def _image(publisher: str, offer: str, sku: str) -> Image:
    image = images.find(publisher, offer, sku)
    if image is None:
        raise _not_found()
    return image


def properties(image: Image) -> dict[str, Any]:
    """What VirtualMachineImages_Get shows of a version, in the recorded order."""
    managed = image.generation == "V2"
    props: dict[str, Any] = {"hyperVGeneration": image.generation, "architecture": image.architecture,
                             "replicaType": "Managed" if managed else "Unmanaged"}
    props["disallowed"] = {"vmDiskType": "Unmanaged" if managed else "None"}
    props["automaticOSUpgradeProperties"] = {"automaticOSUpgradeSupported": image.sku.auto_os_upgrade}
    props["imageDeprecationStatus"] = {"imageState": "Active"}
    if image.sku.features:
        props["features"] = [{"name": name, "value": value} for name, value in image.sku.features]
    # A page-blob VHD's size: the disk and its 512-byte footer (the recorded CentOS 7.5 and Ubuntu
    # 18.04 versions, the only sizes on record: Gen2 images are answered the same way).
    props["osDiskImage"] = {"operatingSystem": image.os_type, "sizeInBytes": image.disk_bytes + 512}
    props["dataDiskImages"] = []
    return props


@location_endpoint("Microsoft.Compute", "publishers")
def list_publishers(ctx, sub: str, location: str) -> list[dict[str, Any]]:
    return [_entry(location, p, _publisher_id(sub, location, p)) for p in images.publishers()]


@location_endpoint("Microsoft.Compute", IMAGES)
def list_offers(ctx, sub: str, location: str, publisher: str) -> list[dict[str, Any]]:
    found = images.offers(publisher)
    if found is None:
        raise _not_found(f"Publisher: {publisher} was not found.")
    return [_entry(location, o.name, f"{_publisher_id(sub, location, o.publisher)}/ArtifactTypes/VMImage/Offers/"
                                     f"{o.name}") for o in found]


@location_endpoint("Microsoft.Compute", IMAGES + "/{offer}/skus")
def list_skus(ctx, sub: str, location: str, publisher: str, offer: str) -> list[dict[str, Any]]:
    found = images.skus(publisher, offer)
    if found is None:
        raise _not_found()
    return [_entry(location, i.sku.name, _sku_id(sub, location, i), properties={
        "automaticOSUpgradeProperties": {"automaticOSUpgradeSupported": i.sku.auto_os_upgrade}}) for i in found]


@location_endpoint("Microsoft.Compute", IMAGES + "/{offer}/skus/{skus}/versions")
def list_versions(ctx, sub: str, location: str, publisher: str, offer: str, skus: str) -> list[dict[str, Any]]:
    image = _image(publisher, offer, skus)
    versions = image.versions
    order = " ".join(ctx.query.get("$orderby", "name").lower().split())
    if order not in ("name", "name asc", "name desc"):
        raise ArmError.bad_request("InvalidParameter", f"The value '{ctx.query['$orderby']}' of parameter "
                                   "'$orderby' is not supported; only 'name', 'name asc' and 'name desc' are.",
                                   target="$orderby")
    if order == "name desc":
        versions.reverse()
    if "$top" in ctx.query:
        try:
            top = int(ctx.query["$top"])
        except ValueError:
            top = -1
        if top < 0:
            raise ArmError.bad_request("InvalidParameter", f"The value '{ctx.query['$top']}' of parameter '$top' "
                                       "is invalid.", target="$top")
        versions = versions[:top]
    expand = {e.strip().lower().split("/")[0] for e in ctx.query.get("$expand", "").split(",")}
    extra = {"properties": properties(image)} if "properties" in expand else {}
    return [_entry(location, v, f"{_sku_id(sub, location, image)}/Versions/{v}", **extra) for v in versions]


@location_endpoint("Microsoft.Compute", IMAGES + "/{offer}/skus/{skus}/versions/{version}")
def get_version(ctx, sub: str, location: str, publisher: str, offer: str, skus: str, version: str) -> dict[str, Any]:
    image = _image(publisher, offer, skus)
    name = image.version(version)
    if name is None:
        raise _not_found()
    return _entry(location, name, f"{_sku_id(sub, location, image)}/Versions/{name}", properties=properties(image))


# Where public Azure's clients read it: its metadata's vmImageAliasDoc (master), az's recorded
# fetch (main), az 2.91's own AzureCloud (hosts.py).
ALIAS_DOCUMENT_URLS = (
    "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json",
    "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/main/arm-compute/quickstart-templates/aliases.json",
    "https://azcliprod.blob.core.windows.net/cli/vm/aliases.json",
)
public_document(ALIAS_DOCUMENT_PATH, content_type="text/plain", public_urls=ALIAS_DOCUMENT_URLS)(
    images.alias_document)

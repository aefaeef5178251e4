"""The VM image catalogue: VirtualMachineImages_* through the real Azure SDK and raw HTTP, the
image alias document fetched as az fetches it (no token), and VMs created from every image of
the catalogue."""

from __future__ import annotations

import json
import ssl
import urllib.request
from urllib.parse import urlsplit

import pytest
import yaml
from azure.core.exceptions import ResourceNotFoundError

from azemu.providers.compute import image_catalogue, images
from compute_helpers import COMPUTE, call, make_nic, vm_body, vm_path, wait_operation
from dataplane_lab import Sdk
from reference import assert_covers, reference_dir

LOCATION = "westus"
IMAGES_PATH = f"{COMPUTE}/locations/{LOCATION}/publishers"
UBUNTU = ("Canonical", "ubuntu-24_04-lts", "server")
ZERO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
LINUX = sorted((i for i in images.IMAGES.values() if i.os_type == "Linux"), key=lambda i: i.urn)


@pytest.fixture(scope="module")
def compute(emu):
    return Sdk(emu).compute.virtual_machine_images


def versions_path(publisher, offer, sku, *version):
    return "/".join([f"{IMAGES_PATH}/{publisher}/artifacttypes/vmimage/offers/{offer}/skus/{sku}/versions", *version])


def fetch(emu, url, headers=None):
    """A plain GET over HTTPS, as python-requests in az does it: (status, headers, text)."""
    context = ssl.create_default_context(cafile=emu.ca_file)
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), context=context,
                                timeout=30) as resp:
        return resp.status, resp.headers, resp.read().decode()


class TestSdk:
    def test_publishers_offers_skus_and_versions(self, compute, emu):
        sub = emu.info["subscription_id"]
        publishers = {p.name: p for p in compute.list_publishers(LOCATION)}
        assert {"Canonical", "Debian", "RedHat", "MicrosoftWindowsServer", "OpenLogic"} <= set(publishers)
        assert publishers["Canonical"].id == (f"/Subscriptions/{sub}/Providers/Microsoft.Compute/Locations/westus/"
                                              "Publishers/Canonical")
        assert publishers["Canonical"].location == LOCATION
        offers = [o.name for o in compute.list_offers(LOCATION, "canonical")]
        assert {"ubuntu-24_04-lts", "0001-com-ubuntu-server-jammy", "UbuntuServer"} <= set(offers)
        skus = [s.name for s in compute.list_skus(LOCATION, "Canonical", "0001-com-ubuntu-server-jammy")]
        assert skus == ["22_04-lts", "22_04-lts-gen2"]
        versions = [v.name for v in compute.list(LOCATION, *UBUNTU)]
        assert versions == images.find(*UBUNTU).versions and len(versions) >= 2

    def test_get_shows_the_version_as_azure_does(self, compute):
        image = compute.get(LOCATION, "Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2",
                            "22.04.202411010")
        assert image.name == "22.04.202411010" and image.location == LOCATION
        assert image.hyper_v_generation == "V2" and image.architecture == "x64"
        assert image.os_disk_image.operating_system == "Linux"
        assert {f.name: f.value for f in image.features}["SecurityType"] == "TrustedLaunchSupported"
        assert image.id.endswith("/Publishers/Canonical/ArtifactTypes/VMImage/Offers/0001-com-ubuntu-server-jammy"
                                 "/Skus/22_04-lts-gen2/Versions/22.04.202411010")
        windows = compute.get(LOCATION, "MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition",
                              "latest")
        assert windows.name == images.find("MicrosoftWindowsServer", "WindowsServer",
                                           "2022-datacenter-azure-edition").versions[-1]
        assert windows.os_disk_image.operating_system == "Windows"

    def test_a_gen2_version_shows_only_what_azure_is_seen_answering(self, arm):
        """Sized in bytes as the recorded versions are; no replica count nor size in GB, which no
        recording shows."""
        body = call(arm, "GET", f"{versions_path(*UBUNTU)}/latest").body["properties"]
        assert body["replicaType"] == "Managed" and "replicaCount" not in body
        assert body["osDiskImage"] == {"operatingSystem": "Linux", "sizeInBytes": 30 * 1024 ** 3 + 512}

    def test_latest_as_az_resolves_it(self, compute):
        """az vm create --image URN:latest: $top=1&$orderby=name desc, then Get (the vm recordings)."""
        newest = compute.list(LOCATION, "OpenLogic", "CentOS", "7.5", top=1, orderby="name desc")
        assert [v.name for v in newest] == ["7.5.201808150"]
        assert compute.get(LOCATION, "OpenLogic", "CentOS", "7.5", newest[0].name).name == "7.5.201808150"

    def test_list_with_properties(self, compute):
        listed = compute.list_with_properties(LOCATION, *UBUNTU, expand="Properties", top=1, orderby="name desc")
        assert [v.name for v in listed] == images.find(*UBUNTU).versions[-1:]
        assert listed[0].hyper_v_generation == "V2" and listed[0].os_disk_image.operating_system == "Linux"

    @pytest.mark.parametrize("call_args, message", [
        (("list_offers", LOCATION, "NoSuchPublisher"), "Publisher: NoSuchPublisher was not found."),
        (("list_skus", LOCATION, "Canonical", "nope"), "Artifact: VMImage was not found."),
        (("list", LOCATION, "Canonical", "ubuntu-24_04-lts", "nope"), "Artifact: VMImage was not found."),
        (("get", LOCATION, *UBUNTU, "24.04.1"), "Artifact: VMImage was not found."),
    ])
    def test_unknown_names(self, compute, call_args, message):
        with pytest.raises(ResourceNotFoundError) as caught:
            getattr(compute, call_args[0])(*call_args[1:])
        assert caught.value.error.code == "NotFound" and caught.value.error.message == message


class TestHttp:
    def test_lists_are_bare_arrays(self, arm):
        for path in (IMAGES_PATH, f"{IMAGES_PATH}/Debian/artifacttypes/vmimage/offers",
                     f"{IMAGES_PATH}/Debian/artifacttypes/vmimage/offers/debian-12/skus",
                     versions_path("Debian", "debian-12", "12-gen2")):
            resp = call(arm, "GET", path)
            assert resp.status == 200 and isinstance(resp.body, list) and resp.body, (path, resp)
            assert all(set(entry) >= {"name", "location", "id"} for entry in resp.body)

    def test_orderby_top_and_expand(self, arm):
        ascending = images.find("Debian", "debian-12", "12-gen2").versions
        path = versions_path("debian", "DEBIAN-12", "12-Gen2")       # names compare without case
        assert [v["name"] for v in call(arm, "GET", path).body] == ascending
        assert [v["name"] for v in call(arm, "GET", path, query="$orderby=name%20desc").body] == ascending[::-1]
        assert [v["name"] for v in call(arm, "GET", path, query="$orderby=name%20asc&$top=1").body] == ascending[:1]
        assert call(arm, "GET", path, query="$top=0").body == []
        plain = call(arm, "GET", path, query="$top=1&$orderby=name%20desc").body
        assert plain == [{"location": LOCATION, "name": ascending[-1], "id": plain[0]["id"]}]
        expanded = call(arm, "GET", path, query="$expand=Properties&$top=1&$orderby=name%20desc").body
        assert expanded[0]["properties"]["hyperVGeneration"] == "V2" and expanded[0]["name"] == ascending[-1]
        # What az vm image list --all asks for, and reads (azure-cli 2.91 _actions.load_images_thru_services).
        deprecation = call(arm, "GET", path, query="$expand=properties/imageDeprecationStatus").body
        assert all({"architecture", "imageDeprecationStatus"} <= set(v["properties"]) for v in deprecation)
        assert call(arm, "GET", path, query="$orderby=version").status == 400
        assert call(arm, "GET", path, query="$top=-1").status == 400

    def test_windows_versions_order_as_numbers(self, arm):
        path = versions_path("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition")
        names = [v["name"] for v in call(arm, "GET", path, query="$orderby=name%20desc").body]
        assert names == sorted(names, key=lambda v: [int(p) for p in v.split(".")], reverse=True)

    @pytest.mark.parametrize("name", ["test_vm_create_existing_nic.yaml", "test_vm_create_no_wait.yaml",
                                      "test_vm_image_show.yaml"])
    def test_recorded_exchanges_replay(self, arm, name):
        """The image requests az made against Azure (the vm recordings), replayed: same status,
        same fields, and for the CentOS image (no features) the same body."""
        recorded = yaml.safe_load((reference_dir() / "recordings" / "azure-cli" / "vm" / name).read_text())
        exchanges = [i for i in recorded["interactions"] if "/artifacttypes/vmimage/" in i["request"]["uri"]]
        assert exchanges
        for exchange in exchanges:
            uri = urlsplit(exchange["request"]["uri"])
            path = uri.path.replace(ZERO_SUBSCRIPTION, arm.sub)
            resp = arm.call("GET", path, api_version=None, query=uri.query)
            want = json.loads(exchange["response"]["body"]["string"])
            assert resp.status == exchange["response"]["status"]["code"], (path, resp)
            ours = json.loads(json.dumps(resp.body).replace(arm.sub, ZERO_SUBSCRIPTION))
            assert_covers(ours, want)
            if "/CentOS/" in path:
                assert ours == want
            elif "/versions/" in path.lower() and isinstance(want, dict):     # 18.04: 30 GiB + 1 MiB
                assert ours["properties"]["osDiskImage"] == want["properties"]["osDiskImage"]

    def test_unknown_location_and_method(self, arm):
        assert call(arm, "GET", f"{COMPUTE}/locations/nowhere/publishers").body["error"]["code"] == \
            "NoRegisteredProviderFound"
        assert call(arm, "DELETE", IMAGES_PATH).status == 405
        unknown = call(arm, "GET", f"{IMAGES_PATH}/Canonical/artifacttypes/vmextension/offers")
        assert unknown.status == 400 and unknown.body["error"]["code"] == "InvalidResourceType"

    def test_request_log_names_the_type(self, arm, emu):
        mark = emu.mark()
        call(arm, "GET", versions_path(*UBUNTU))
        [entry] = emu.requests(since=mark)
        assert entry["type"] == "Microsoft.Compute/locations/publishers/artifacttypes/offers/skus/versions"
        assert entry["kind"] == "arm" and not entry["write"]


class TestAliasDocument:
    def test_served_where_the_metadata_points_without_a_token(self, emu):
        status, _, body = emu.http("GET", "/metadata/endpoints?api-version=2022-09-01")
        cloud = body[0] if isinstance(body, list) else body
        mark = emu.mark()
        status, headers, text = fetch(emu, cloud["vmImageAliasDoc"])
        assert status == 200 and headers["Content-Type"] == "text/plain; charset=utf-8"
        doc = json.loads(text)
        aliases = doc["outputs"]["aliases"]["value"]
        assert aliases["Linux"]["Ubuntu2404"] == {"publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                                                  "sku": "server", "version": "latest", "architecture": "x64"}
        assert {"Ubuntu2204", "Debian11", "Debian12", "RHELRaw8LVMGen2"} <= set(aliases["Linux"])
        assert "Win2022Datacenter" in aliases["Windows"]
        [entry] = emu.requests(since=mark)
        assert entry["kind"] != "arm" and entry["status"] == 200

    def test_az_291_reads_every_entry(self, emu):
        """az 2.91 (_actions.load_images_from_aliases_doc) indexes each entry's five keys."""
        doc = json.loads(fetch(emu, emu.url + "/vmImageAliases.json")[2])
        entries = [e for group in doc["outputs"]["aliases"]["value"].values() for e in group.values()]
        assert entries and all(set(e) == {"publisher", "offer", "sku", "version", "architecture"} for e in entries)

    def test_every_alias_names_a_catalogue_image_with_the_casing_of_az(self):
        fallback = reference_aliases()
        for alias, names in image_catalogue.ALIASES.items():
            image = images.find(*names)
            assert image is not None, alias
            if alias in fallback:
                assert (fallback[alias]["publisher"], fallback[alias]["offer"], fallback[alias]["sku"]) == names


def reference_aliases() -> dict:
    path = reference_dir() / "metadata" / "vm-image-aliases" / "aliases.azure-cli-2.91.0-fallback.json"
    groups = json.loads(path.read_text())["outputs"]["aliases"]["value"]
    return {alias: entry for group in groups.values() for alias, entry in group.items()}


class TestVmCreate:
    @pytest.mark.parametrize("image", LINUX, ids=lambda i: i.urn)
    def test_every_linux_image_with_latest(self, arm, rg, image):
        nic = make_nic(arm, rg)
        body = vm_body([nic])
        body["properties"]["storageProfile"]["imageReference"] = {
            "publisher": image.publisher.upper(), "offer": image.offer.name, "sku": image.sku.name, "version": "latest"}
        resp = call(arm, "PUT", vm_path(rg), body)
        assert resp.status == 201, resp
        assert wait_operation(arm, resp)["status"] == "Succeeded"
        vm = call(arm, "GET", vm_path(rg), query="$expand=instanceView").body
        reference = vm["properties"]["storageProfile"]["imageReference"]
        assert reference["exactVersion"] == image.versions[-1] and reference["version"] == "latest"
        assert vm["properties"]["storageProfile"]["osDisk"]["diskSizeGB"] == image.disk_gb
        view = vm["properties"]["instanceView"]
        assert (view["hyperVGeneration"], view["osName"]) == (image.generation, image.os_name)

    def test_an_exact_older_version(self, arm, rg):
        body = vm_body([make_nic(arm, rg)])
        body["properties"]["storageProfile"]["imageReference"] = {
            "publisher": "Canonical", "offer": "UbuntuServer", "sku": "18.04-LTS", "version": "18.04.202002180"}
        resp = call(arm, "PUT", vm_path(rg), body)
        assert resp.status == 201, resp
        assert resp.body["properties"]["storageProfile"]["imageReference"]["exactVersion"] == "18.04.202002180"

    def test_a_windows_image_is_refused(self, arm, rg):
        body = vm_body([make_nic(arm, rg)])
        body["properties"]["storageProfile"]["imageReference"] = {
            "publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2022-datacenter-azure-edition",
            "version": "latest"}
        resp = call(arm, "PUT", vm_path(rg), body)
        assert resp.status == 400 and resp.body["error"]["code"] == "InvalidParameter", resp
        assert resp.body["error"]["target"] == "imageReference" and "Windows image" in resp.body["error"]["message"]

    def test_the_os_disk_is_at_least_the_image(self, arm, rg):
        body = vm_body([make_nic(arm, rg)])
        storage = body["properties"]["storageProfile"]
        storage["imageReference"] = {"publisher": "RedHat", "offer": "RHEL", "sku": "9-lvm-gen2", "version": "latest"}
        storage.setdefault("osDisk", {})["diskSizeGB"] = 32
        resp = call(arm, "PUT", vm_path(rg), body)
        assert resp.status == 409 and "smaller than the size 64GB" in resp.body["error"]["message"], resp

"""The cloud metadata document per api-version, compared with Azure's own answers, and what the
clients that read it (az CLI, ARM_CLOUD_METADATA_URL readers, azure-identity + the SDK,
msrestazure's legacy shape) get from it over HTTPS; paths with doubled slashes."""

from __future__ import annotations

import json

import pytest
import yaml

from reference import reference_dir, spec_file
from sdk_clients import resource_client

RG_API = "2021-04-01"


def metadata(emu, api_version, path="/metadata/endpoints"):
    status, headers, doc = emu.http("GET", f"{path}?api-version={api_version}")
    assert status == 200, doc
    assert headers.get("Content-Type").startswith("application/json")
    return doc


def powershell_fixture(version):
    return spec_file(f"metadata/azure-powershell-common/ArmResponse{version}.json")


@pytest.mark.parametrize("version, shape", [
    ("2022-09-01", "object"), ("2023-11-01", "object"),
    ("2019-05-01", "array"), ("2019-10-01", "array"), ("2020-06-01", "array"),
    ("2015-01-01", "legacy"), ("1.0", "legacy"), ("", "legacy"),
])
def test_shape_per_api_version(emu, version, shape):
    doc = metadata(emu, version)
    kind = "array" if isinstance(doc, list) else "object" if "name" in doc else "legacy"
    assert kind == shape, doc


def test_2022_09_01_is_one_object_with_azures_keys(emu):
    ours, azure = metadata(emu, "2022-09-01"), powershell_fixture("2022-09-01")
    assert list(ours) == list(azure)
    assert set(ours["authentication"]) == set(azure["authentication"])
    assert set(ours["suffixes"]) == set(azure["suffixes"])
    # As Azure writes them: a login endpoint without, ARM and audience with a trailing slash.
    assert ours["authentication"]["loginEndpoint"] == emu.url
    assert ours["authentication"]["audiences"] == [emu.url + "/"]
    assert ours["resourceManager"] == emu.url + "/"
    assert "gallery" not in ours


def test_2019_05_01_is_an_array_with_azures_keys(emu):
    ours, azure = metadata(emu, "2019-05-01"), powershell_fixture("2019-05-01")
    assert isinstance(ours, list) and len(ours) == 1
    assert set(azure[0]) <= set(ours[0])
    assert set(azure[0]["suffixes"]) <= set(ours[0]["suffixes"])
    assert ours[0]["authentication"]["loginEndpoint"] == emu.url + "/"     # Azure's: "https://login.windows.net/"
    assert ours[0]["resourceManager"] == emu.url + "/"


def test_2015_01_01_has_the_recorded_keys(emu):
    recording = yaml.safe_load((reference_dir() / "recordings/azure-cli/cloud/test_cloud_scenario.yaml").read_text())
    answer = next(i["response"] for i in recording["interactions"]
                  if "/metadata/endpoints?api-version=2015-01-01" in i["request"]["uri"])
    azure = json.loads(answer["body"]["string"])
    ours = metadata(emu, "2015-01-01")
    assert set(ours) == set(azure) and set(ours["authentication"]) == set(azure["authentication"])
    assert ours["authentication"] == {"loginEndpoint": emu.url + "/", "audiences": [emu.url + "/"]}


def test_az_cloud_register_reads_one_object(emu):
    """What az 2.91's `_arm_to_cli_mapper` indexes on the 2022-09-01 answer, at the URL it builds
    from `--endpoint-resource-manager https://host:port/` (a doubled slash)."""
    doc = metadata(emu, "2022-09-01", path="//metadata/endpoints")
    assert isinstance(doc, dict)
    assert doc["name"] and isinstance(doc["suffixes"], dict)
    assert doc["authentication"]["loginEndpoint"] and doc["authentication"]["audiences"][0]


def test_arm_cloud_metadata_url_readers_get_an_array(emu):
    """azure-cli's get_known_clouds (and azure.azcollection through it) iterate the document at
    ARM_CLOUD_METADATA_URL, `...?api-version=2019-05-01` in azure-cli's airgapped-cloud doc; the
    first cloud becomes the active one."""
    clouds = metadata(emu, "2019-05-01")
    names = {cloud["name"]: cloud for cloud in clouds}
    assert list(names) == ["AzureEmulator"]
    assert names["AzureEmulator"]["resourceManager"] == emu.url + "/"


@pytest.mark.parametrize("version", ["2022-09-01", "2019-05-01", "2015-01-01"])
@pytest.mark.parametrize("scope_from", ["audience", "resourceManager"])
def test_azure_identity_and_sdk_work_from_every_shape(emu, version, scope_from):
    """The scope as az CLI and our collection build it (`audiences[0] + "/.default"`: `<url>//.default`)
    and as SDK samples do (`resourceManager + ".default"`): both get tokens ARM accepts."""
    doc = metadata(emu, version)
    doc = doc[0] if isinstance(doc, list) else doc
    audience = doc["authentication"]["audiences"][0]
    scope = audience + "/.default" if scope_from == "audience" else (doc.get("resourceManager") or audience) + ".default"
    client = resource_client(emu, doc, scope)
    assert isinstance(list(client.resource_groups.list()), list)


def test_token_audiences_arm_accepts(emu):
    t = emu.identities()[0]
    for scope, accepted in ((emu.url + "/.default", True), (emu.url + "//.default", True),
                            (emu.url + "///.default", False), (emu.url + "/x/.default", False)):
        status, _, body = emu.http("POST", f"/{t['tenant_id']}/oauth2/v2.0/token", form={
            "grant_type": "client_credentials", "client_id": t["client_id"], "client_secret": t["client_secret"],
            "scope": scope})
        assert (status == 200) is accepted, (scope, body)
        if accepted:
            status, _, body = emu.http("GET", f"/subscriptions?api-version={RG_API}",
                                       headers={"Authorization": f"Bearer {body['access_token']}"})
            assert status == 200, (scope, body)


@pytest.mark.parametrize("path", ["//subscriptions/{sub}/resourcegroups", "/subscriptions//{sub}///resourcegroups",
                                  "//subscriptions/{sub}/resourcegroups/"])
def test_doubled_slashes_route_as_single_ones(emu, path):
    status, _, body = emu.http("GET", path.format(sub=emu.info["subscription_id"]) + f"?api-version={RG_API}",
                               headers={"Authorization": f"Bearer {emu.token()}"})
    assert status == 200 and "value" in body, body


def test_doubled_slashes_reach_identity_and_test_api(emu):
    t = emu.identities()[0]
    status, _, body = emu.http("POST", f"//{t['tenant_id']}//oauth2/v2.0/token", form={
        "grant_type": "client_credentials", "client_id": t["client_id"], "client_secret": t["client_secret"],
        "scope": emu.url + "//.default"})
    assert status == 200 and body["access_token"], body
    status, _, doc = emu.http("GET", f"//{t['tenant_id']}/v2.0/.well-known/openid-configuration")
    assert status == 200 and doc["issuer"].endswith("/v2.0"), doc
    status, _, counters = emu.http("GET", "//_azemu/counters",
                                   headers={"Authorization": f"Bearer {emu.test_api_token}"})
    assert status == 200 and "seq" in counters, counters


def test_doubled_slashes_are_logged_merged(emu):
    mark = emu.mark()
    metadata(emu, "2022-09-01", path="//metadata//endpoints")
    assert [r["path"] for r in emu.requests(since=mark)] == ["/metadata/endpoints"]

"""Every recording of real Azure traffic in ../shared/azure-reference/recordings (the Azure CLI's
own tests and the Azure SDK's) replayed against a fresh azemu, answer by answer (replay.py says
how). A fresh azemu per recording, with the spec check on, so the CLI's traffic is validated
against the specs too.

EXPECTED lists, per recording, the interactions azemu does not answer as Azure did, by the
reason. It is exact: an interaction that starts matching fails the test as much as a new
mismatch does, so the list only shrinks: when a feature lands (deployments, $filter, images),
the test names the interactions to take off. Most of today's list follows from one missing
feature: `az network lb create` and `az vm create` deploy an ARM template, and everything the
recording does with what the deployment made fails after it.
"""

from __future__ import annotations

import pytest

from azemu.testing import Azemu
from azemu_specs.location import absent, reference_dir
from azemu_specs.pytest_plugin import add_summary
from reference import load_recording
from replay import Replayer

REASONS = {
    "deployments": "Microsoft.Resources/deployments are not emulated yet (the deployments change): the CLI's "
                   "create commands deploy a template, and what it would have made is missing afterwards",
    "filter": "the $filter grammar of /resources (resourceGroup eq, name eq, resourceType eq) is refused "
              "(InvalidFilterInQueryString; the fid-core change)",
    "image-size": "the catalogue gives a Gen1 (VHD) image 30 GiB + 512 bytes (the CentOS 7.5 recording); Azure's "
                  "UbuntuServer 18.04 versions have 30 GiB + 1 MiB (osDiskImage.sizeInBytes; the images change)",
    "alias": "the image alias document has no ETag and lacks FlatcarLinuxFreeGen2 and Win2008R2SP1 of the "
             "recorded 2023-10-13 document (the images change)",
    "metadata": "the 2015-01-01 metadata document lists one authentication audience, Azure two "
                "(management.core.windows.net and management.azure.com; the fid-core change)",
    "empty-page": "Azure answers this /resources filter with an empty page and a nextLink (ARM pages across "
                  "shards); azemu answers no nextLink, so the next recorded request follows a link azemu never "
                  "gave (InvalidQueryParameterValue)",
    "nic-fields": "azemu's network interface lacks fields Azure answers: dnsSettings.internalDomainNameSuffix, "
                  "disableTcpStateTracking, hostedWorkloads, tapConfigurations (no change owns it yet)",
    "nic-ipv6": "azemu refuses a second, IPv6 ip configuration without a subnet on an IPv4-only VNet "
                "(InvalidRequestFormat); Azure accepts it (no change owns it yet)",
    "outbound-allocation": "azemu's outbound rules lack allocationPolicy {onDemandAllocation, portReuse} "
                           "(no change owns it yet)",
    "avset-sizes": "availabilitySets/{name}/vmSizes (AvailabilitySets_ListAvailableSizes) is not emulated "
                   "(no change owns it yet)",
    "ip-prefixes": "publicIPPrefixes are not emulated (the tutorial uses none)",
}

EXPECTED: dict[str, dict[str, str]] = {
    "azure-cli/cloud/test_cloud_scenario.yaml": {"metadata": "0"},
    "azure-cli/network/test_network_lb.yaml": {
        "empty-page": "1-2, 7-8", "filter": "18-19, 28-29", "deployments": "3-5, 9-12, 20-22, 30-39"},
    "azure-cli/network/test_network_lb_address_pool.yaml": {"deployments": "2-24"},
    "azure-cli/network/test_network_lb_probes.yaml": {"empty-page": "1-2, 35-36", "deployments": "3-33, 37-55"},
    "azure-cli/network/test_network_lb_rules.yaml": {"deployments": "2-45"},
    "azure-cli/network/test_network_nic_lb_address_pools.yaml": {
        "nic-fields": "5, 7, 19, 24, 26-27, 32, 34", "deployments": "10-18, 20-23, 28-31"},
    "azure-cli/vm/test_vm_availset.yaml": {"deployments": "1-5, 7-13", "avset-sizes": "17"},
    "azure-cli/vm/test_vm_create_custom_data.yaml": {"deployments": "7-16"},
    "azure-cli/vm/test_vm_create_existing_nic.yaml": {
        "nic-fields": "15, 17-18", "nic-ipv6": "19-21, 36, 39", "deployments": "29-35, 38"},
    "azure-cli/vm/test_vm_create_no_wait.yaml": {"image-size": "2, 5, 7", "deployments": "8-15"},
    "azure-cli/vm/test_vm_image_list_by_alias.yaml": {"alias": "0"},
    "azure-cli/vm/test_vm_image_show.yaml": {"image-size": "0"},
    "network/test_cli_mgmt_network_ip_addresses.pyTestMgmtNetworktest_network.json": {
        "ip-prefixes": "2-4, 9, 11, 15-18"},
    "network/test_cli_mgmt_network_load_balancer.pyTestMgmtNetworktest_network.json": {
        "outbound-allocation": "5, 7, 15, 17-18"},
}


def _recordings() -> list:
    root = reference_dir("recordings")
    if root is None:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=absent("recordings")), id="no-reference")]
    root = root / "recordings"
    files = sorted([*root.rglob("*.json"), *root.rglob("*.yaml")])
    return [pytest.param(f, f.relative_to(root).as_posix(), id=f.relative_to(root).as_posix()) for f in files]


def indices(spec: str) -> set[int]:
    out: set[int] = set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        first, _, last = part.partition("-")
        out.update(range(int(first), int(last or first) + 1))
    return out


def test_expected_lists_name_real_reasons():
    assert {r for table in EXPECTED.values() for r in table} <= set(REASONS)
    for name, table in EXPECTED.items():
        sets = [indices(s) for s in table.values()]
        assert sum(map(len, sets)) == len(set().union(*sets)), f"{name}: an interaction under two reasons"


@pytest.mark.parametrize(("path", "name"), _recordings())
def test_recording_replays_as_azure_answered(path, name, tmp_path):
    with Azemu(tmp_path / "azemu") as emu:
        result = Replayer(emu, name, load_recording(path), cli=path.suffix == ".yaml").run()
    add_summary(result.summary())
    expected = {i: reason for reason, spec in EXPECTED.get(name, {}).items() for i in indices(spec)}
    mismatched = result.mismatched
    covered = result.covered(set(mismatched))
    new = [str(o) for i, o in sorted(mismatched.items()) if not set(range(i, i + o.polls)) <= set(expected)]
    fixed = sorted(set(expected) - covered)
    assert not new and not fixed, "\n".join(
        [f"{name}: {result.summary()}"]
        + [f"  mismatch not in EXPECTED: {line}" for line in new]
        + [f"  now matches, take it off EXPECTED: #{i} ({expected[i]})" for i in fixed])

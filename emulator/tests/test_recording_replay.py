"""Every recording of real Azure traffic in ../shared/azure-reference/recordings (the Azure CLI's
own tests and the Azure SDK's) replayed against a fresh azemu, answer by answer (replay.py says
how). A fresh azemu per recording, with the spec check on, so the CLI's traffic is validated
against the specs too.

EXPECTED lists, per recording, the interactions azemu does not answer as Azure did, by the
reason. It is exact: an interaction that starts matching fails the test as much as a new
mismatch does, so the list only shrinks: when a feature lands (deployments, $filter, images),
the test names the interactions to take off.
"""

from __future__ import annotations

import pytest

from azemu.testing import Azemu
from azemu_specs.location import absent, reference_dir
from azemu_specs.pytest_plugin import add_summary
from reference import load_recording
from replay import Replayer

REASONS = {
    "disk-name": "Azure named this VM's OS disk vmnowait2_disk1_<hex>; in the other recordings, and in azemu, "
                 "it is {vm}_OsDisk_1_<hex> (which images or requests get the other form is not public), so the "
                 "instance view's disk is another and the replayed `az vm update` PUT, sending back Azure's name, "
                 "changes osDisk.name and is refused (PropertyChangeNotAllowed); what follows misses its tag",
    "alias": "the recorded 2023-10-13 alias document lists FlatcarLinuxFreeGen2, an image with a purchase plan, "
             "which azemu's catalogue leaves out, and Win2008R2SP1, which Azure has dropped since (az 2.91's copy, "
             "metadata/vm-image-aliases/aliases.azure-cli-2.91.0-fallback.json, lacks it too)",
    "empty-page": "Azure answers these /resources lookups with an empty first page and a nextLink (ARM pages "
                  "across its shards), the items on the next; azemu answers them in one page, so the recorded "
                  "follow-up asks for a link azemu never gave (InvalidQueryParameterValue). A client following "
                  "nextLink gets the same items either way; azemu keeps one page (emulator/README, known differences)",
    "avset-sizes": "availabilitySets/{name}/vmSizes lists the 719 sizes Azure's westus offered; azemu offers 24 "
                   "(providers/compute/vm_sizes.py), each listed as Azure lists it",
    "ip-prefixes": "publicIPPrefixes are not emulated (no tutorial client uses them): azemu answers reads of them "
                   "as Azure does for none and refuses the create (providers/unemulated.py)",
}

EXPECTED: dict[str, dict[str, str]] = {
    "azure-cli/network/test_network_lb.yaml": {"empty-page": "1-2, 7-8, 18-19, 28-29"},
    "azure-cli/network/test_network_lb_probes.yaml": {"empty-page": "1-2, 35-36"},
    "azure-cli/vm/test_vm_availset.yaml": {"avset-sizes": "17"},
    "azure-cli/vm/test_vm_create_no_wait.yaml": {"disk-name": "9-11, 13-15"},
    "azure-cli/vm/test_vm_image_list_by_alias.yaml": {"alias": "0"},
    "network/test_cli_mgmt_network_ip_addresses.pyTestMgmtNetworktest_network.json": {
        "ip-prefixes": "2-4, 9, 11, 15-18"},
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

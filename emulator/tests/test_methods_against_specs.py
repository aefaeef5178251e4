"""The methods azemu serves on one resource of each type (`ResourceType.methods`) are the
methods Azure's REST specs list for that type's instance path: a child type Azure serves only
through its parent (a load balancer's probes) refuses PUT and DELETE here as there, and a
type whose spec has a write azemu does not serve is caught too."""

from __future__ import annotations

import pytest

from azemu.arm import registry
from azemu_specs import SpecChecker, absent, reference_dir
from network_helpers import error_of, finish, path_of

WRITES = ("PUT", "PATCH", "DELETE")


def instance_path(rtype) -> str:
    chain = []
    node = rtype
    while node is not None:
        chain.append(node.segment)
        node = node.parent_type
    segments = "/".join(f"{seg}/n{i}" for i, seg in enumerate(reversed(chain)))
    return f"/subscriptions/s/resourceGroups/rg/providers/{rtype.provider}/{segments}"


@pytest.fixture(scope="module")
def index():
    path = reference_dir()
    if path is None:
        pytest.skip(absent())
    registry.load_providers()
    return SpecChecker(path).index


def specified_types(index):
    """The registered types whose instance GET is in the specs (the others have no spec here)."""
    return [t for t in registry.all_types() if index.match("GET", instance_path(t)) is not None]


def test_every_type_serves_exactly_the_writes_its_spec_lists(index):
    types = specified_types(index)
    assert len(types) >= 15, [t.full_type for t in types]
    wrong = {}
    for rtype in types:
        path = instance_path(rtype)
        spec = {m for m in WRITES if index.match(m, path) is not None}
        served = {m for m in WRITES if m in rtype.methods}
        if spec != served:
            wrong[rtype.full_type] = {"spec": sorted(spec), "azemu": sorted(served)}
    assert wrong == {}


def test_a_read_only_child_refuses_writes_and_stays_as_it_was(arm, rg):
    """What the declaration does over HTTP: a probe is read, not written, through its own URL."""
    lb = path_of(rg, "loadBalancers", "lb-methods")
    probe = {"name": "p", "properties": {"protocol": "Tcp", "port": 80}}
    resp = arm.put(lb, {"location": "eastus", "sku": {"name": "Standard"}, "properties": {"probes": [probe]}})
    assert finish(arm, resp) == {"status": "Succeeded"}
    etag = arm.get(lb).body["etag"]
    for method, body in (("PUT", {"properties": {"protocol": "Tcp", "port": 81}}), ("DELETE", None), ("PATCH", {})):
        resp = arm.call(method, f"{lb}/probes/p", body)
        assert error_of(resp, 405)[0] == "MethodNotAllowed", method
    assert arm.get(f"{lb}/probes/p").body["properties"]["port"] == 80
    assert arm.get(lb).body["etag"] == etag

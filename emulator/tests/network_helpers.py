"""Helpers for the Microsoft.Network tests of public IPs, VNets and NSGs: paths, ids, waiting
for an operation, Azure's examples retargeted into a test's resource group."""

from __future__ import annotations

import json
import re
import time

from reference import reference_dir, spec_file

NETWORK = "/providers/Microsoft.Network"


def path_of(rg, kind, name, *child):
    return "/".join([f"/resourceGroups/{rg}{NETWORK}/{kind}/{name}", *child])


def id_of(arm, rg, kind, name, *child):
    return f"/subscriptions/{arm.sub}{path_of(rg, kind, name, *child)}"


def finish(arm, resp):
    """Poll the operation a PUT or DELETE started; its final status document."""
    url = resp.headers.get("Azure-AsyncOperation")
    assert url, resp
    for _ in range(200):
        status = arm.follow(url)
        if status.body["status"] != "InProgress":
            return status.body
        time.sleep(0.05)
    raise AssertionError(f"operation {url} never finished")


def put_done(arm, path, body):
    """PUT and wait; the resource as a GET then shows it."""
    resp = arm.put(path, body)
    assert resp.status in (200, 201), resp
    assert finish(arm, resp) == {"status": "Succeeded"}
    return arm.get(path).body


def delete_done(arm, path):
    resp = arm.delete(path)
    assert resp.status == 202, resp
    assert finish(arm, resp) == {"status": "Succeeded"}


def error_of(resp, status=400):
    assert resp.status == status, resp
    return resp.body["error"]["code"], resp.body["error"]["message"]


def example(relative):
    """An example file of the specs, with its ids retargeted later by `retarget`."""
    reference_dir()
    return spec_file(f"specs/network/{relative}")


def retarget(value, arm, rg):
    """An example body with its ids pointing into our subscription and resource group."""
    text = json.dumps(value).replace("/subscriptions/subid/", f"/subscriptions/{arm.sub}/")
    return json.loads(re.sub(r"/resourceGroups/rg1/", f"/resourceGroups/{rg}/", text))


def vnet_body(subnets=(("default", "10.0.0.0/24"),), space=("10.0.0.0/16",), nsg=None):
    def subnet(name, prefix):
        props = {"addressPrefix": prefix}
        if nsg:
            props["networkSecurityGroup"] = {"id": nsg}
        return {"name": name, "properties": props}
    return {"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": list(space)},
                                                 "subnets": [subnet(n, p) for n, p in subnets]}}


def nic_body(subnet_id, nsg=None, **ipconfig):
    props = {"ipConfigurations": [{"name": "ipconfig1", "properties": dict({"subnet": {"id": subnet_id}}, **ipconfig)}]}
    if nsg:
        props["networkSecurityGroup"] = {"id": nsg}
    return {"location": "eastus", "properties": props}

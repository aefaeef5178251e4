"""The collection as it runs against public Azure: no AZURE_CLOUD_ENVIRONMENT, so the modules
take their AzureCloud defaults (management.azure.com, login.microsoftonline.com with instance
discovery), and reach azemu only through its proxy (`azemu env --proxy`)."""

from __future__ import annotations


def public_env(azure_env, azemu):
    env = {name: value for name, value in azure_env.items() if name != "AZURE_CLOUD_ENVIRONMENT"}
    env.update(azemu.env(proxy=True))
    assert "AZURE_CLOUD_ENVIRONMENT" not in env
    return env


def test_collection_through_the_proxy(run_playbook, azemu, azure_env, unique_name):
    env = public_env(azure_env, azemu)
    group = unique_name("rg")
    tasks = [
        {"name": "rg", "cloudlb.azure.resource_group": {"name": group, "location": "westus"}},
        {"name": "pip", "cloudlb.azure.public_ip": {"resource_group": group, "name": "pip"}},
        {"name": "nsg", "cloudlb.azure.security_group": {"resource_group": group, "name": "nsg", "rules": [
            {"name": "http", "priority": 1001, "protocol": "Tcp", "source_address_prefixes": ["Internet"]}]}},
    ]

    mark = azemu.mark()
    run = run_playbook(tasks, env=env)
    assert run.ok and all(run.task(name)["changed"] for name in ("rg", "pip", "nsg")), run.output()
    sub = env["AZURE_SUBSCRIPTION_ID"]
    assert run.task("rg")["resource_group"]["id"] == f"/subscriptions/{sub}/resourceGroups/{group}"
    assert run.task("pip")["public_ip"]["id"] == \
        f"/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Network/publicIPAddresses/pip"
    seen = azemu.requests(since=mark)
    assert {r["host"] for r in seen if r["kind"] == "arm"} == {"management.azure.com"}
    assert {r["host"] for r in seen if r["kind"] == "token"} == {"login.microsoftonline.com"}
    written = {(r["method"], r["type"]) for r in azemu.writes(since=mark)}
    assert {("PUT", "Microsoft.Network/publicIPAddresses"),
            ("PUT", "Microsoft.Network/networkSecurityGroups")} <= written

    mark = azemu.mark()
    again = run_playbook(tasks, env=env)
    assert again.ok and not any(again.task(name)["changed"] for name in ("rg", "pip", "nsg")), again.output()
    assert azemu.writes(since=mark) == []
    assert again.task("nsg")["security_group"] == run.task("nsg")["security_group"]

    gone = run_playbook([{"name": "rg", "cloudlb.azure.resource_group": {
        "name": group, "state": "absent", "force_delete_nonempty": True}}], env=env)
    assert gone.ok and gone.task("rg")["changed"], gone.output()

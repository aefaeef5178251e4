"""The collection as users get it: `make build`'s tarball installed from a clean collections
path, run without any ansible.cfg, and every AWX job template of awx/controller run as AWX runs
it (ansible-runner, a private data dir laid out as AWX lays it out, the Azure Resource Manager
credential's variables, the survey's defaults; awx_job.py), against the session's azemu.

The tests build on each other, in file order, on the survey's own defaults (resource group
myTutorial8 in westus) but for the number of VMs, answered 2 (the survey's least: a rollout
needs one VM out and one serving; test_site.py builds the default 3): plan on an empty
subscription, the workflow "deploy, then smoke test", the inventory source, step 5, rolling
maintenance cancelled and launched again, plan on the built subscription, teardown.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from awx_job import Awx

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

GROUP = "myTutorial8"
VMS = ["myVM1", "myVM2"]
NICS = ["myNic1", "myNic2"]
TIME_SCALE = 30
RUN_FIRST = True     # the longest file: started before the others (root conftest.py)


def controller(name):
    return yaml.safe_load((REPO_ROOT / "awx" / "controller" / f"{name}.yml").read_text())


TEMPLATES = {t["name"]: t for t in controller("job_templates")["controller_templates"]}
WORKFLOWS = {w["name"]: w for w in controller("workflow_job_templates")["controller_workflows"]}
[SOURCE] = controller("inventories")["controller_inventory_sources"]
# The lab's rolling maintenance template polls the load balancer's health every half second, set
# as the job template's own extra vars (an AWX admin's setting, under the survey's answers):
# azemu's probes run TIME_SCALE times faster than the role's default 5 s interval assumes.
ROLLING = dict(TEMPLATES["cloudlb.azure - rolling maintenance"],
               extra_vars={"rolling_maintenance_health_interval": 0.5})


@pytest.fixture(scope="module")
def user(tmp_path_factory, azemu):
    """A user's machine: a HOME with the built collection installed in its default collections
    path, an empty working directory, and only the AZURE_* variables (plus azemu's CA)."""
    root = tmp_path_factory.mktemp("user")
    build = root / "build"
    # make build, without letting make redo the venv (-o setup): CI's is made once.
    subprocess.run(["make", "-s", "-o", "setup", "build", f"BUILD_DIR={build}"], cwd=REPO_ROOT, check=True,
                   capture_output=True, text=True, timeout=300)
    [tarball] = build.glob("cloudlb-azure-*.tar.gz")
    home = root / "home"
    # Nothing of the developer's shell that would change what a run does (as conftest.py's base_env).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ANSIBLE_", "MOLECULE_"))
           and k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "PYTHONPATH")}
    env.update(azemu.env(), HOME=str(home), PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}")
    subprocess.run([str(VENV_BIN / "ansible-galaxy"), "collection", "install", str(tarball)], cwd=root, env=env,
                   check=True, capture_output=True, text=True, timeout=300)
    workdir = root / "work"
    workdir.mkdir()
    env.pop("ANSIBLE_CONFIG", None)

    def playbook(*args):
        return subprocess.run([str(VENV_BIN / "ansible-playbook"), *args], cwd=workdir, env=env,
                              capture_output=True, text=True, timeout=900, check=False)

    playbook.tarball = tarball
    playbook.collections = home / ".ansible" / "collections"
    playbook.env = env
    return playbook


@pytest.fixture(scope="module")
def awx(user, tmp_path_factory, azemu, sdk):
    """AWX with the project (this repository's files), the credential (azemu's service principal,
    azemu as the cloud environment) and the execution environment (the installed tarball)."""
    root = tmp_path_factory.mktemp("awx")
    project = root / "projects" / "cloudlb.azure"
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO_ROOT,
                           check=True, capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, files):
        source = REPO_ROOT / name
        if source.is_file():
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            (project / name).write_bytes(source.read_bytes())
    env = azemu.env()
    credential = {"subscription": env["AZURE_SUBSCRIPTION_ID"], "client": env["AZURE_CLIENT_ID"],
                  "secret": env["AZURE_SECRET"], "tenant": env["AZURE_TENANT"],
                  "cloud_environment": env["AZURE_CLOUD_ENVIRONMENT"]}
    # AWX_TASK_ENV: azemu's CA, which an execution environment for azemu would carry.
    task_env = {k: v for k, v in user.env.items() if not k.startswith("AZURE_")}
    before = azemu.settings()
    azemu.settings(time_scale=TIME_SCALE)
    yield Awx(root, project, user.collections, credential, task_env)
    azemu.settings(time_scale=before["time_scale"])
    if sdk.resource.resource_groups.check_existence(GROUP):
        sdk.resource.resource_groups.begin_delete(GROUP).result()


def recap(output):
    """localhost's counts from the default callback's PLAY RECAP."""
    line = next(line for line in output.splitlines() if line.startswith("localhost") and "ok=" in line)
    return {key: int(value) for key, value in (field.split("=") for field in line.split(":", 1)[1].split())}


def succeeded(job):
    assert job.status == "successful", job.output()
    assert job.failed_events() == [], job.output()
    return job


def test_the_built_tarball_has_the_collection_and_no_development_files(user):
    with tarfile.open(user.tarball) as tar:
        names = set(tar.getnames())
    assert {"MANIFEST.json", "playbooks/site.yml", "roles/vms/README.md",
            "plugins/filter/connections.py", "meta/execution-environment.yml", "requirements.txt"} <= names
    assert not any(n.split("/")[0] in {"emulator", "awx", ".venv", "Makefile", "ansible.cfg", "site.yml"} for n in names)


def test_check_mode_on_an_empty_subscription_shows_the_plan_without_ansible_cfg(user, azemu):
    assert not (Path(user.env["HOME"]) / ".ansible.cfg").exists() and "ANSIBLE_CONFIG" not in user.env
    mark = azemu.mark()
    run = user("cloudlb.azure.site", "--check")
    assert run.returncode == 0, run.stdout + run.stderr
    counts = recap(run.stdout)
    assert counts["failed"] == 0 and counts["changed"] > 0, run.stdout
    assert "no load balancer myLoadBalancer in myTutorial8 yet" in run.stdout
    assert azemu.writes(since=mark) == []


def test_the_workflow_deploys_then_smoke_tests(awx, azemu):
    workflow = WORKFLOWS["cloudlb.azure - deploy, then smoke test"]
    answers = dict({q["variable"]: q["default"] for q in workflow["survey_spec"]["spec"]}, vm_count=len(VMS))
    [deploy, smoke] = workflow["workflow_nodes"]
    assert deploy["related"]["success_nodes"] == [{"identifier": smoke["identifier"]}]
    site = succeeded(awx.launch(TEMPLATES[deploy["unified_job_template"]["name"]], answers))
    # network (group; NSG, VNet and public IP, waited for in one task), the load balancer, the VMs
    # (NICs, set, VMs: one waiting task each).
    assert site.changed() == 6, site.stats()
    mark = azemu.mark()
    test = succeeded(awx.launch(TEMPLATES[smoke["unified_job_template"]["name"]], answers))
    assert test.changed() == 0 and azemu.writes(since=mark) == []
    [check] = test.task_results("Check that every VM answered")
    assert check["msg"].startswith("Every VM answered") and all(vm in check["msg"] for vm in VMS), check


def test_the_inventory_source_lists_the_vms_by_pool(awx):
    inventory = awx.update_inventory(SOURCE)
    assert sorted(inventory["pool_myloadbalancer_mybackendpool"]["hosts"]) == VMS, inventory
    # ansible-inventory --export keeps values from the cloud as unsafe, which AWX stores and the
    # job's inventory script hands back as such.
    hosts = [inventory["_meta"]["hostvars"][vm]["ansible_host"] for vm in VMS]
    assert all(host["__ansible_unsafe"].startswith("10.0.0.") for host in hosts), hosts


def test_the_pool_member_template_takes_myvm2_out_and_back(awx, sdk):
    job = succeeded(awx.launch(TEMPLATES["cloudlb.azure - pool member (step 5)"]))
    assert job.changed() == 2, job.stats()
    pools = sdk.network.network_interfaces.get(GROUP, "myNic2").ip_configurations[0].load_balancer_backend_address_pools
    assert [p.id.rsplit("/", 1)[-1] for p in pools or []] == ["myBackEndPool"]


def test_rolling_maintenance_cancelled_as_awx_cancels_then_launched_again_finishes(awx, azemu, sdk):
    template = ROLLING
    # Cancel with a VM drained (the default method on a Standard load balancer: its admin state
    # Down, out of new connections) and being maintained: the worst moment. Its restart boots for
    # 20 s (600 emulated seconds), so the cancel, which takes a moment, lands in it and not after
    # the VM is back or while the next one's drain is still writing.
    boot = azemu.settings()["vm_boot_seconds"]
    azemu.settings(vm_boot_seconds=600)
    try:
        first = awx.launch(template, wait=False)
        first.wait_for_event(lambda e: e["event"] == "runner_on_ok"
                             and e["event_data"].get("task") == "Drain the VM"
                             and e["event_data"]["res"].get("changed"))
        first.cancel()
    finally:
        azemu.settings(vm_boot_seconds=boot)
    assert first.status == "canceled", first.output()
    assert len(admin_down(sdk)) == 1, (admin_down(sdk), first.output())

    # Launched again as the awx/README says: the cancelled run's lock broken by name.
    second = succeeded(awx.launch(template, {"rolling_maintenance_break_lock": first.run_id}))
    nics = list(sdk.network.network_interfaces.list(GROUP))
    assert sorted(n.name for n in nics if n.ip_configurations[0].load_balancer_backend_address_pools) == NICS, [
        n.name for n in nics]
    assert admin_down(sdk) == []
    # No drain mark left, and every VM maintained by the rollout the cancelled job began.
    assert [(n.tags or {}).get("cloudlb-rolling-done") for n in nics] == [first.run_id] * len(VMS), [
        n.tags for n in nics]
    assert not any("cloudlb-rolling-drained" in (n.tags or {}) for n in nics), [n.tags for n in nics]
    nsg = sdk.network.network_security_groups.get(GROUP, "myNetworkSecurityGroup")
    assert not [r.name for r in nsg.security_rules if r.name.startswith("cloudlb-drain-")]
    lb = sdk.network.load_balancers.get(GROUP, "myLoadBalancer")
    assert not any(k.startswith("cloudlb-rolling") for k in (lb.tags or {})), lb.tags
    assert second.changed() > 0, second.stats()


def admin_down(sdk):
    """The backend pool's entries whose admin state is Down (a drained member)."""
    pool = sdk.network.load_balancer_backend_address_pools.get(GROUP, "myLoadBalancer", "myBackEndPool").as_dict()
    return [e["name"] for e in pool["properties"].get("loadBalancerBackendAddresses") or []
            if e["properties"].get("adminState") == "Down"]


def test_check_mode_on_the_built_subscription_changes_nothing(user, azemu):
    mark = azemu.mark()
    run = user("cloudlb.azure.site", "--check", "-e", f"vm_count={len(VMS)}")
    assert run.returncode == 0, run.stdout + run.stderr
    assert recap(run.stdout)["changed"] == 0, run.stdout
    assert "Every VM answered" in run.stdout
    assert azemu.writes(since=mark) == []


def test_the_teardown_template_deletes_the_resource_group(awx, sdk):
    job = succeeded(awx.launch(TEMPLATES["cloudlb.azure - teardown (step 6)"]))
    assert job.changed() == 1
    assert not sdk.resource.resource_groups.check_existence(GROUP)


def test_the_execution_environment_context_installs_our_collection_and_its_dependencies(user, tmp_path):
    """ansible-builder create (no container engine), then what its build does with the context:
    the galaxy stage installs requirements.yml's collections, the builder stage runs the
    context's own introspect.py over them - here over the tarball, installed the same way."""
    context = tmp_path / "context"
    subprocess.run([str(VENV_BIN / "ansible-builder"), "create", "-f", str(REPO_ROOT / "awx" / "execution-environment.yml"),
                    "--context", str(context)], check=True, capture_output=True, text=True, timeout=120)
    containerfile = next(p for p in (context / "Containerfile", context / "Dockerfile") if p.exists()).read_text()
    assert 'ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml' in containerfile
    assert "introspect.py introspect --write-bindep=/tmp/src/bindep.txt --write-pip=/tmp/src/requirements.txt" in containerfile
    [collection] = yaml.safe_load((context / "_build" / "requirements.yml").read_text())["collections"]
    assert collection["name"].endswith("cloudlb/azure.git") and collection["type"] == "git", collection

    pip, bindep = tmp_path / "requirements.txt", tmp_path / "bindep.txt"
    subprocess.run([sys.executable, str(context / "_build" / "scripts" / "introspect.py"), "introspect",
                    str(user.collections), f"--write-pip={pip}", f"--write-bindep={bindep}"],
                   check=True, capture_output=True, text=True, timeout=120)

    def requirements(path):
        lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
        return sorted(line for line in lines if line)

    assert requirements(pip) == requirements(REPO_ROOT / "requirements.txt")
    assert requirements(bindep) == requirements(REPO_ROOT / "bindep.txt")

"""cloudlb.azure.virtual_machine and virtual_machine_info through real ansible-playbook runs
against azemu: the life cycle, power states, waiting or not, parallel creation, custom data
kept out of every output, and bad input refused before any request."""

from __future__ import annotations

import base64

from compute_setup import SSH_KEY, arm_requests, compute, info_task, new_vm, vm_task
from playbook_tasks import assert_unchanged, check, may_fail, with_diff

CLOUD_CONFIG = "#cloud-config\nruncmd:\n  - echo cloudlb-secret-marker-7f3a\n"


def test_lifecycle(run_playbook, azemu, sdk, vm_group):
    """Create, resize and delete in two playbooks (the disks and NICs left are read in between);
    each step's writes are the ones azemu logged while its task ran."""
    group = vm_group
    create = new_vm(group, "vm1", "nic1", "create", custom_data=CLOUD_CONFIG, availability_set="avset",
                    tags={"env": "demo"})
    resize = vm_task(group, task_name="resize", size="Standard_B2s", tags={"owner": "ops"}, append_tags=False)
    mark = azemu.mark()
    run = run_playbook([
        check(with_diff(dict(create, name="predict"))),
        create,
        dict(create, name="again"),
        check(dict(create, name="again in check mode")),
        check(with_diff(dict(resize, name="predict resize"))),
        resize,
    ])
    assert run.ok, run.output()
    writes = azemu.writes(since=mark)

    result = run.task("predict")
    assert result["changed"]
    predicted = result["virtual_machine"]
    assert (predicted["power_state"], predicted["size"], predicted["image"]["offer"]) == (
        "running", "Standard_B1s", "ubuntu-24_04-lts")
    assert result["diff"]["before"] == {}
    assert run.during("predict", writes) == []

    result = run.task("create")
    assert result["changed"]
    vm = result["virtual_machine"]
    assert (vm["provisioning_state"], vm["power_state"], vm["computer_name"], vm["admin_username"]) == (
        "Succeeded", "running", "vm1", "azureuser")
    assert vm["image"]["exact_version"] and vm["ssh_public_keys"] == [SSH_KEY] and not vm["password_authentication"]
    assert vm["os_disk"]["type"] == "Premium_LRS" and vm["os_disk"]["size_gb"] == 30
    assert vm["network_interfaces"] == [vm["primary_network_interface"]]
    assert vm["network_interfaces"][0].endswith(f"/resourceGroups/{group}/providers/Microsoft.Network/networkInterfaces/nic1")
    assert vm["availability_set"].lower().endswith("/availabilitysets/avset")
    assert vm["private_ip_addresses"] == ["10.0.0.4"] and len(vm["public_ip_addresses"]) == 1
    assert vm["tags"]["env"] == "demo" and vm["tags"]["cloudlb-custom-data-sha256"].startswith("v2:")
    same = ("name", "size", "computer_name", "admin_username", "ssh_public_keys", "network_interfaces", "tags",
            "power_state", "location")
    # The custom-data tag is salted afresh each time (v2:<salt>:<hmac>): the prediction's differs.
    digest = "cloudlb-custom-data-sha256"
    assert predicted["tags"][digest] != vm["tags"][digest] and predicted["tags"][digest].startswith("v2:")
    predicted["tags"][digest] = vm["tags"][digest]
    assert {key: predicted[key] for key in same} == {key: vm[key] for key in same}

    assert_unchanged(run, writes, "again", "again in check mode")
    assert run.task("again")["virtual_machine"] == vm

    result = run.task("predict resize")
    assert result["changed"]
    assert result["diff"]["before"]["size"] == "Standard_B1s" and result["diff"]["after"]["size"] == "Standard_B2s"
    assert result["diff"]["after"]["tags"] == {"owner": "ops", "cloudlb-custom-data-sha256": vm["tags"]["cloudlb-custom-data-sha256"]}
    result = run.task("resize")["virtual_machine"]
    assert (result["size"], result["tags"]["owner"], "env" in result["tags"]) == ("Standard_B2s", "ops", False)
    assert result["tags"]["cloudlb-custom-data-sha256"] == vm["tags"]["cloudlb-custom-data-sha256"]

    delete = vm_task(group, task_name="delete", state="absent", remove_on_absent=["os_disk", "network_interfaces"])
    mark = azemu.mark()
    run = run_playbook([check(dict(delete, name="predict delete")), delete])
    assert run.ok, run.output()
    assert run.task("predict delete")["changed"] and run.during("predict delete", azemu.writes(since=mark)) == []
    assert run.task("delete")["changed"]
    assert [d.name for d in compute(sdk).disks.list_by_resource_group(group)] == []
    assert "nic1" not in [n.name for n in sdk.network.network_interfaces.list(group)]
    mark = azemu.mark()
    run = run_playbook([dict(delete, name="delete again")])
    assert run.ok and not run.task("delete again")["changed"], run.output()
    assert azemu.writes(since=mark) == []


POWER_STEPS = [  # (task name, power_state, changed); each followed by an info task "<name> seen"
    ("stop", "stopped", True), ("stop again", "stopped", False), ("deallocate", "deallocated", True),
    ("stop from deallocated", "stopped", True),       # start, then power off
    ("start", "running", True), ("restart", "restarted", True),
    ("restart again", "restarted", True),             # restarts every time
]


def test_power_states(run_playbook, azemu, vm_group):
    group = vm_group
    tasks = [new_vm(group, nic="nic2", task_name="create")]
    for name, state, _changed in POWER_STEPS:
        tasks += [vm_task(group, task_name=name, power_state=state), info_task(f"{name} seen", resource_group=group, name="vm1")]
    # Growing the OS disk needs the VM deallocated: in one task, deallocate and then grow.
    tasks += [may_fail(vm_task(group, task_name="grow", os_disk_size_gb=64)),
              vm_task(group, task_name="deallocate and grow", os_disk_size_gb=64, power_state="deallocated")]
    mark = azemu.mark()
    run = run_playbook(tasks)
    assert run.record("create")["status"] == "ok", run.output()
    writes = azemu.writes(since=mark)
    for name, state, changed in POWER_STEPS:
        assert run.record(name)["status"] == "ok" and run.task(name)["changed"] is changed, (name, run.output())
        shown = "running" if state == "restarted" else state
        assert (run.task(name)["virtual_machine"]["power_state"],
                run.task(f"{name} seen")["virtual_machines"][0]["power_state"]) == (shown, shown), name
    assert run.during("stop again", writes) == []
    assert [w["path"].rsplit("/", 1)[-1] for w in run.during("restart", writes)] == ["restart"]

    assert run.record("grow")["status"] == "failed" and "only while the VM is deallocated" in run.task("grow")["msg"]
    assert run.during("grow", writes) == []
    assert run.record("deallocate and grow")["status"] == "ok", run.output()
    grown = run.task("deallocate and grow")["virtual_machine"]
    assert (grown["os_disk"]["size_gb"], grown["power_state"]) == (64, "deallocated")


def test_no_wait_then_wait_without_writes(run_playbook, azemu, vm_group):
    group = vm_group
    before = azemu.settings()
    azemu.settings(vm_boot_seconds=3, latency=0.5, retry_after=2)
    try:
        create = new_vm(group, nic="nic3", wait=False)
        mark = azemu.mark()
        run = run_playbook([create])
        assert run.ok, run.output()
        vm = run.task("vm")["virtual_machine"]
        assert (vm["provisioning_state"], vm["power_state"]) == ("Creating", "starting")
        assert run.task("vm")["retry_after"] == 2      # what Azure's answer to the PUT asked
        # Nobody waits, so nothing polls the operation (azure-core's polling=False) and nothing
        # reads the VM after its PUT: Azure's answer is what the task returns; the NIC read to
        # check the reference gives the addresses too.
        sent = azemu.requests(since=mark)
        polls = [r["path"] for r in sent if "/operations/" in r["path"].lower()]
        assert polls == [], polls
        put = next(i for i, r in enumerate(sent) if r["method"] == "PUT")
        assert [r["path"] for r in sent[put + 1:] if "virtualMachines" in r["path"]] == []
        nic_reads = [r for r in sent if r["method"] == "GET" and r["path"].split("?")[0].lower().endswith("/nic3")]
        assert len(nic_reads) == 1 and vm["private_ip_addresses"], (nic_reads, vm)
        mark = azemu.mark()
        run = run_playbook([dict(create, **{"cloudlb.azure.virtual_machine": dict(create["cloudlb.azure.virtual_machine"], wait=True)})])
        assert run.ok and not run.task("vm")["changed"], run.output()
        assert (run.task("vm")["virtual_machine"]["provisioning_state"], run.task("vm")["virtual_machine"]["power_state"]) == (
            "Succeeded", "running")
        assert azemu.writes(since=mark) == []
    finally:
        azemu.settings(**{key: before[key] for key in ("vm_boot_seconds", "latency", "retry_after")})


def vms_role(group, count, prefix):
    return {"name": "role", "ansible.builtin.include_role": {"name": "cloudlb.azure.vms"}, "vars": {
        "vms_resource_group": group, "vms_count": count, "vms_name_prefix": prefix, "vms_nic_name_prefix": f"{prefix}Nic",
        "vms_virtual_network": "vnet", "vms_subnet": "default", "vms_security_group": "", "vms_load_balancer": "",
        "vms_size": "Standard_B1s", "vms_availability_set_name": f"{prefix}Set", "vms_wait_delay": 1}}


VM_PHASE = ("Start creating the virtual machines", "Collect what each virtual machine task did",
            "Give the virtual machines one interval before the first look",
            "Wait until every virtual machine is created", "Check that every virtual machine was created",
            "Wait until every virtual machine that was there before runs")


def vm_phase_seconds(run):
    """How long the vms role took from starting the VMs to seeing them all run."""
    return sum(record["duration"] for record in run.records if record["name"].endswith(VM_PHASE))


def test_the_vms_role_creates_three_vms_in_about_the_time_of_one(run_playbook, azemu, sdk, vm_group):
    """With a boot time, the role's VMs, created with wait=false side by side and then waited for
    together, take about as long as one VM (within 1.5 times), and run when the role ends: their
    creations are over, so no instance view is read for them."""
    boot = 10
    azemu.settings(vm_boot_seconds=boot)
    try:
        one = run_playbook([vms_role(vm_group, 1, "solo")])
        assert one.ok, one.output()
        three_mark = azemu.mark()
        three = run_playbook([vms_role(vm_group, 3, "trio")])
        assert three.ok, three.output()
    finally:
        azemu.settings(vm_boot_seconds=0)
    read_views = [r["path"] for r in arm_requests(azemu, three_mark) if r["path"].endswith("/instanceView")]
    vms = compute(sdk).virtual_machines
    powers = [[s.code for s in vms.instance_view(vm_group, f"trio{i}").statuses if s.code.startswith("PowerState/")]
              for i in (1, 2, 3)]
    assert powers == [["PowerState/running"]] * 3
    assert three.record("cloudlb.azure.vms : Wait until every virtual machine that was there before runs")["status"] == "skipped"
    assert read_views == []
    single, triple = vm_phase_seconds(one), vm_phase_seconds(three)
    assert single >= boot
    assert triple <= 1.5 * single, f"one VM: {single:.1f} s, three VMs: {triple:.1f} s"

    mark = azemu.mark()
    again = run_playbook([vms_role(vm_group, 3, "trio")])
    assert again.ok and again.stats["localhost"]["changed"] == 0, again.output()
    assert azemu.writes(since=mark) == []


def test_custom_data_never_in_any_output(run_playbook, vm_group):
    encoded = base64.b64encode(CLOUD_CONFIG.encode()).decode()
    run = run_playbook([new_vm(vm_group, nic="nic4", custom_data=CLOUD_CONFIG),
                        new_vm(vm_group, nic="nic4", custom_data=CLOUD_CONFIG, task_name="again")],
                       diff=True, args=("-vvv",))
    assert run.ok, run.output()
    everything = run.output()
    assert "cloudlb-secret-marker-7f3a" not in everything
    assert encoded not in everything
    assert "virtual_machine" in everything     # the scan did see the results

    run = run_playbook([new_vm(vm_group, nic="nic4", custom_data=CLOUD_CONFIG + "# changed\n")], args=("-vvv",))
    assert not run.ok and "custom_data differs" in run.task("vm")["msg"]
    assert "cloudlb-secret-marker-7f3a" not in run.output()


def test_what_only_creation_sets(run_playbook, azemu, vm_group):
    group = vm_group
    assert run_playbook([new_vm(group, nic="nic2")]).ok
    mark = azemu.mark()
    cases = [
        (dict(availability_set="avset"), "only when it creates the VM"),
        (dict(image="Debian12"), "it was created from Canonical:ubuntu-24_04-lts:server:latest"),
        (dict(admin_username="someone"), "the administrator is azureuser"),
        (dict(ssh_public_keys=[SSH_KEY.replace("test@cloudlb", "x").replace("AAAAIHx5", "AAAAIHx6")]), "SSH public keys"),
        (dict(network_interfaces=["nic3"]), "does not change a VM's NICs"),
        (dict(os_disk_type="Standard_LRS"), "the OS disk type is Premium_LRS"),
        (dict(os_disk_size_gb=16, power_state="deallocated"), "cannot shrink"),
    ]
    run = run_playbook([dict(vm_task(group, task_name=f"case{i}", **options), ignore_errors=True)
                        for i, (options, _message) in enumerate(cases)])
    for i, (_options, message) in enumerate(cases):
        result = run.task(f"case{i}")
        assert run.record(f"case{i}")["status"] == "failed", result
        assert message in result["msg"] and "Nothing was changed" in result["msg"], result["msg"]
    assert azemu.writes(since=mark) == []


def test_info(run_playbook, azemu, vm_group):
    group = vm_group
    assert run_playbook([new_vm(group, "a", "nic1", tags={"role": "web"}), new_vm(group, "b", "nic2", task_name="b")]).ok
    mark = azemu.mark()
    run = run_playbook([info_task("one", resource_group=group, name="a")])
    assert [vm["name"] for vm in run.task("one")["virtual_machines"]] == ["a"]
    assert run.task("one")["virtual_machines"][0]["power_state"] == "running"
    assert len(arm_requests(azemu, mark)) == 1, "one GET with $expand=instanceView"
    run = run_playbook([info_task("all", resource_group=group), info_task("web", resource_group=group, tags=["role:web"]),
                        info_task("fast", resource_group=group, instance_view=False),
                        info_task("none", resource_group=group, name="nosuch"),
                        info_task("sub")])
    assert sorted((vm["name"], vm["power_state"]) for vm in run.task("all")["virtual_machines"]) == [
        ("a", "running"), ("b", "running")]
    assert [vm["name"] for vm in run.task("web")["virtual_machines"]] == ["a"]
    assert [vm["power_state"] for vm in run.task("fast")["virtual_machines"]] == [None, None]
    assert run.task("none")["virtual_machines"] == []
    assert {"a", "b"} <= {vm["name"] for vm in run.task("sub")["virtual_machines"]}
    assert azemu.writes(since=mark) == []


INVALID = [
    (dict(name="-vm"), "the VM name"),
    (dict(name="web_01"), "the computer (host) name 'web_01'"),
    (dict(computer_name="my.host"), "computer (host) name"),
    (dict(location="west us!"), "is not a region name"),
    (dict(size="B2s"), "is not a VM size name"),
    (dict(image="Canonical:ubuntu"), "neither a URN"),
    (dict(image={"publisher": "Canonical", "offer": "ubuntu-24_04-lts"}), "image needs sku"),
    (dict(admin_username="root"), "reserves"),
    (dict(ssh_public_keys=["~/.ssh/id_rsa.pub"]), "not an OpenSSH public key"),
    (dict(admin_password="weak"), "6 to 72 characters"),
    (dict(network_interfaces=["rg/nic"]), "neither a name nor a resource id"),
    (dict(network_interfaces=["nic1", "NIC1"]), "names the same NIC twice"),
    (dict(network_interfaces=[]), "cannot be empty"),
    (dict(availability_set="/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/publicIPAddresses/p"),
     "is not the id of a Microsoft.Compute/availabilitySets resource"),
    (dict(os_disk_size_gb=0), "os_disk_size_gb must be from 1"),
    (dict(custom_data="x" * 70000), "87380"),
    (dict(remove_on_absent=["os_disk"]), "only with state=absent"),
    (dict(power_state="paused"), "value of power_state must be one of"),
    (dict(wait_timeout=0), "wait_timeout must be a positive number"),
]


def test_bad_input_fails_before_any_request(run_playbook, azemu):
    cases = []
    for options, message in INVALID:
        others = {key: value for key, value in options.items() if key != "name"}
        cases.append((vm_task("rg-never-used", options.get("name", "vm1"), **{"network_interfaces": ["nic1"], **others}),
                      message))
    run_playbook.each_refused(azemu, cases)


CREATION_NEEDS = [
    (dict(network_interfaces=None), "network_interfaces is required"),
    (dict(ssh_public_keys=None), "ssh_public_keys or admin_password is required"),
    (dict(power_state="stopped", wait=False), "needs wait=true"),
]


def test_creation_needs(run_playbook, azemu, vm_group):
    cases = []
    for options, message in CREATION_NEEDS:
        task = new_vm(vm_group, "new")
        task["cloudlb.azure.virtual_machine"].update(options)
        cases.append((task, message))
    run_playbook.each_refused(azemu, cases, counted=lambda request: request["write"])


def test_azure_errors_carry_their_code(run_playbook, azemu, vm_group):
    run = run_playbook([new_vm(vm_group, image="Canonical:nope:server:latest")])
    result = run.task("vm")
    assert not run.ok and result["error_code"] == "PlatformImageNotFound", result

    # What Azure would refuse and a read can tell (InvalidParameter for the size, NicInUse) is
    # refused before the create.
    assert run_playbook([new_vm(vm_group, "owner", nic="nic2")]).ok
    mark = azemu.mark()
    run = run_playbook([dict(new_vm(vm_group, size="Standard_Nope1"), ignore_errors=True),
                        dict(new_vm(vm_group, "thief", nic="nic2", task_name="thief"), ignore_errors=True)])
    assert "size: Standard_Nope1 is not a VM size Azure offers in " in run.task("vm")["msg"], run.output()
    assert "network interface nic2 is used by virtual machine owner" in run.task("thief")["msg"], run.output()
    assert azemu.writes(since=mark) == []

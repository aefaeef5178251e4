"""Microsoft.Compute/virtualMachines.

What Azure does and azemu copies (VirtualMachine_Create_*, _Get_InstanceView, _PowerOff,
_Restart and VirtualMachineRunCommand examples; Azure's VM error codes):
- PUT answers 201 (create) or 200 with `provisioningState` `Creating`/`Updating` and an
  `Azure-AsyncOperation` on `.../providers/Microsoft.Compute/locations/{loc}/operations/{id}`;
  the create completes when the VM has booted (`settings.vm_boot_seconds`, emulated seconds);
  PATCH is long-running too; DELETE answers 202;
- the body is checked as Compute checks it (`InvalidParameter` naming the field): the size must
  be one azemu offers (vm_sizes), the image one it knows (images), premium disks need a premium
  size, a Linux host name and admin name follow Linux rules, password or SSH key, custom data
  must be base64 of at most 87380 characters;
- a NIC must exist, be in the VM's region and not be used by another VM (`NicInUse`);
  an availability set must exist and be `Aligned` for managed disks, and can only be chosen at
  creation (`PropertyChangeNotAllowed`), like the image, OS disk name, admin name, computer
  name, SSH keys and custom data;
- `customData` and `adminPassword` are never returned; azemu keeps the custom data in the VM's
  internal state and records what cloud-init receives (`internal.cloud_init.user_data`, the
  decoded text, seen at `/_azemu/state`);
- an OS disk (Microsoft.Compute/disks) appears once the VM is created, managed by it; it is
  deleted with the VM when `osDisk.deleteOption` is `Delete`, detached otherwise; NICs whose
  `deleteOption` is `Delete` go with the VM too;
- `instanceView` (`GET .../instanceView` or `$expand=instanceView`) shows
  `ProvisioningState/...` and `PowerState/...` statuses; start, powerOff, deallocate and restart
  are long-running POST actions that move the power state (kept with timestamps in
  `internal.power` for the data plane); runCommand answers from run_command.py.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from ...arm import engine
from ...arm.context import Ctx, Res
from ...arm.lro import COMPUTE
from ...arm.registry import register
from ...arm.resource_type import ResourceType, action
from . import disks, images
from . import run_command as shell
from .availability_set import members
from .vm_checks import Check, invalid, missing, not_allowed, obj
from .vm_power import DISPLAY, IN_TRANSITION, power, set_power

NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?$")
RUN_COMMANDS_KEPT = 20
PROVISIONING_DISPLAY = {"succeeded": "Provisioning succeeded", "failed": "Provisioning failed",
                        "creating": "Creating", "updating": "Updating", "deleting": "Deleting"}


def build_instance_view(ctx: Ctx, res: Res) -> dict[str, Any]:
    props = res.props
    state = (props.get("provisioningState") or "Succeeded").lower()
    created = props.get("timeCreated")
    power_state = power(res)
    view: dict[str, Any] = {"computerName": props["osProfile"]["computerName"]}
    placement = res.internal.get("placement")
    if placement:
        view["platformUpdateDomain"] = placement["update_domain"]
        view["platformFaultDomain"] = placement["fault_domain"]
    image = images.lookup(props["storageProfile"]["imageReference"])
    if power_state == "running":
        view["osName"] = image.os_name
        view["osVersion"] = image.os_version
        view["vmAgent"] = {"vmAgentVersion": "2.13.1.1", "statuses": [{
            "code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Ready",
            "message": "Guest Agent is running", "time": res.internal["power"]["since"]}], "extensionHandlers": []}
    view["disks"] = [{"name": props["storageProfile"]["osDisk"]["name"], "statuses": [{
        "code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded",
        "time": created}]}]
    view["hyperVGeneration"] = image.generation
    view["statuses"] = [
        {"code": f"ProvisioningState/{state}", "level": "Error" if state == "failed" else "Info",
         "displayStatus": PROVISIONING_DISPLAY.get(state, state), "time": created},
        {"code": f"PowerState/{power_state}", "level": "Info", "displayStatus": DISPLAY[power_state]},
    ]
    return view


@register
class VirtualMachines(ResourceType):
    provider = "Microsoft.Compute"
    type = "virtualMachines"
    lro = COMPUTE
    has_etag = False
    long_running_patch = True
    creating_state = "Creating"
    read_only = ("vmId", "timeCreated", "instanceView")

    def check_name(self, ctx, name):
        if not NAME_RE.match(name):
            raise invalid(f"The resource name '{name}' is invalid for a virtual machine: it must be 1 to 64 letters, "
                          "digits, '.', '-' and '_', begin with a letter or digit and not end with '.' or '-'.",
                          target="vmName")

    def validate(self, ctx, body, current):
        out = super().validate(ctx, body, current)
        props = out["properties"]
        location = body.get("location") or (current.location if current else None)
        check = Check(ctx, "".join(location.split()).lower() if isinstance(location, str) else None, current)
        size = check.size(props)
        check.storage(props, size)
        check.os_profile(props)
        check.network(props)
        check.availability_set(props)
        return out

    def fill(self, ctx, res, current):
        props = res.props
        profile = props["osProfile"]
        profile.pop("adminPassword", None)
        data = profile.pop("customData", None)
        disk = props["storageProfile"]["osDisk"]
        if not disk.get("name"):
            disk["name"] = f"{res.name}_OsDisk_1_{ctx.new_guid().replace('-', '')}"
        if current is None:
            props.setdefault("vmId", ctx.new_guid())
            props.setdefault("timeCreated", ctx.now_iso())
            set_power(ctx, res, "starting")
            if data is not None:
                res.internal["custom_data"] = data
                res.internal["cloud_init"] = {"user_data": base64.b64decode(data).decode("utf-8", "replace"),
                                              "received_at": None}
            avset = props.get("availabilitySet")
            if avset:
                self._place(ctx, res, avset["id"])

    @staticmethod
    def _place(ctx, res, avset_id):
        """Fault and update domains, round-robin over the set's VMs in creation order."""
        avset = ctx.resolve(avset_id)
        index = len([vm for vm in members(ctx, avset_id) if vm.id.lower() != res.id.lower()])
        res.internal["placement"] = {"fault_domain": index % avset.props["platformFaultDomainCount"],
                                     "update_domain": index % avset.props["platformUpdateDomainCount"]}

    def operation_seconds(self, ctx, kind, res, action_name):
        """Creating, starting and restarting a VM also take its boot time (the latency
        profile's figures are Azure's whole operations, boot included)."""
        profiled = self.profile_seconds(ctx, kind, res, action_name)
        if profiled is not None:
            return profiled
        boots = (kind == "put" and res is not None and power(res) == "starting") or action_name in ("start", "restart")
        return ctx.settings.latency + (ctx.settings.real_seconds(ctx.settings.vm_boot_seconds) if boots else 0.0)

    def on_provisioned(self, ctx, res):
        managed = res.props["storageProfile"]["osDisk"]["managedDisk"]
        if managed.get("id"):
            return
        managed["id"] = disks.create_os_disk(ctx, res)
        if power(res) == "starting":
            set_power(ctx, res, "running")
            if "cloud_init" in res.internal:
                res.internal["cloud_init"]["received_at"] = ctx.now_iso()

    def on_deleted(self, ctx, res):
        disk = res.props["storageProfile"]["osDisk"]
        disk_id = disk["managedDisk"].get("id")
        if disk_id and disk["deleteOption"] == "Delete":
            engine.remove(ctx, disk_id)
        elif disk_id:
            disks.detach(ctx, disk_id)
        for nic in res.props["networkProfile"]["networkInterfaces"]:
            if nic["properties"]["deleteOption"] == "Delete":
                engine.remove(ctx, nic["id"])

    def render(self, ctx, res, out):
        if ctx.query.get("$expand", "").lower() == "instanceview":
            out["properties"]["instanceView"] = build_instance_view(ctx, res)

    # --- actions ------------------------------------------------------------------------------

    @staticmethod
    def _ready_for(res: Res, name: str) -> str:
        state = (res.provisioning_state or "").lower()
        if state == "creating":
            raise not_allowed(f"Operation '{name}' is not allowed on VM '{res.name}' since another operation is in "
                              "progress.")
        if state == "deleting":
            raise not_allowed(f"Operation '{name}' is not allowed on VM '{res.name}' since the VM is marked for "
                              "deletion. You can only retry the Delete operation (or wait for an ongoing one to complete).")
        current = power(res)
        if current in IN_TRANSITION:
            raise not_allowed(f"An ongoing operation is changing power state of Virtual Machine {res.name} to "
                              f"{current}. Please perform operation {name} after some time.")
        return current

    def _begin(self, ctx, res, name, to, then, allowed):
        current = self._ready_for(res, name)
        if current == then:
            return {"then": then}
        if current not in allowed:
            if current == "deallocated":
                raise not_allowed(f"Operation '{name}' is not allowed on VM '{res.name}' since the VM is either "
                                  "deallocated or marked to be deallocated.")
            raise not_allowed("The operation requires the VM to be running (or set to run).")
        set_power(ctx, res, to)
        return {"then": then}

    def _finish(self, ctx, res, state):
        if power(res) != state["then"]:
            set_power(ctx, res, state["then"])
        return None

    @action("start")
    def start(self, ctx, res, body):
        return self._begin(ctx, res, "start", "starting", "running", ("stopped", "deallocated"))

    @action("powerOff")
    def power_off(self, ctx, res, body):
        return self._begin(ctx, res, "powerOff", "stopping", "stopped", ("running",))

    @action("deallocate")
    def deallocate(self, ctx, res, body):
        return self._begin(ctx, res, "deallocate", "deallocating", "deallocated", ("running", "stopped"))

    @action("restart")
    def restart(self, ctx, res, body):
        current = self._ready_for(res, "restart")
        if current != "running":
            return self._begin(ctx, res, "restart", "starting", "running", ())
        set_power(ctx, res, "starting")
        return {"then": "running"}

    @start.done
    def start_done(self, ctx, res, state):
        return self._finish(ctx, res, state)

    @power_off.done
    def power_off_done(self, ctx, res, state):
        return self._finish(ctx, res, state)

    @deallocate.done
    def deallocate_done(self, ctx, res, state):
        return self._finish(ctx, res, state)

    @restart.done
    def restart_done(self, ctx, res, state):
        return self._finish(ctx, res, state)

    @action("instanceView", method="GET", long_running=False)
    def instance_view(self, ctx, res, body):
        return build_instance_view(ctx, res)

    @action("runCommand")
    def run_command(self, ctx, res, body):
        body = obj(body, "parameters")
        command_id = body.get("commandId")
        if not command_id:
            raise missing("commandId")
        if command_id != "RunShellScript":
            raise invalid(f"The value {command_id} of parameter commandId is invalid: the command is not available "
                          "for Linux virtual machines; use RunShellScript.", target="commandId")
        script = body.get("script") or []
        if not isinstance(script, list) or not all(isinstance(line, str) for line in script):
            raise invalid("The value of parameter script is invalid.", target="script")
        if self._ready_for(res, "runCommand") != "running":
            raise not_allowed("The operation requires the VM to be running (or set to run).")
        return {"script": "\n".join(script)}

    @run_command.done
    def run_command_done(self, ctx, res, state):
        machine = shell.Machine(res.props["osProfile"]["computerName"],
                                (res.internal.get("cloud_init") or {}).get("user_data"))
        outcome = shell.run(state["script"], machine)
        value = shell.statuses(outcome)
        history = res.internal.setdefault("run_commands", [])
        history.append({"at": ctx.now_iso(), "script": state["script"], "exit_status": outcome.status})
        del history[:-RUN_COMMANDS_KEPT]
        operation = getattr(ctx, "operation", None)
        if operation is not None:
            operation.status_extra["properties"] = {"output": {"value": value}}
        return {"value": value}

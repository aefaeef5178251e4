#!/usr/bin/python
# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vm_run_command
short_description: Run a shell script on an Azure Linux VM through Azure's run-command API
version_added: 0.1.0
description:
  - Run a shell script on a running Linux virtual machine with Azure's run command
    (C(RunShellScript), as C(az vm run-command invoke) does), without SSH or a network path to
    the VM, and return its output and exit status.
  - The script runs as root through the VM agent. Azure runs one command at a time per VM, keeps
    only the last 4096 bytes of each output stream, and stops a script after 90 minutes.
  - The module reads the VM first, and one that does not exist or is not running (Azure would refuse
    the run command) fails the task before anything is sent.
  - Like M(ansible.builtin.command), the task fails when the script exits with a non-zero status;
    use C(failed_when) to accept other statuses.
  - Azure cannot tell whether a script changed anything, so the task reports C(changed=false)
    unless O(changed=true) says otherwise; use C(changed_when) on RV(stdout) or RV(rc) for a
    finer answer.
options:
  resource_group:
    description: Resource group of the VM.
    type: str
    required: true
  name:
    description: Name of the VM.
    type: str
    required: true
  script:
    description:
      - The shell script, one command per line, as C(sh) reads it.
    type: str
    required: true
  changed:
    description:
      - What the task reports as C(changed) when the script ran (whatever its exit status).
    type: bool
    default: false
  wait:
    description:
      - Wait for the script to finish and return its output.
      - With V(false), the module returns as soon as Azure has accepted the script, without
        RV(stdout), RV(stderr) or RV(rc).
    type: bool
    default: true
extends_documentation_fragment:
  - cloudlb.azure.auth
  - cloudlb.azure.wait
  - cloudlb.azure.attributes
  - cloudlb.azure.attributes.actiongroup
attributes:
  check_mode:
    support: none
    details: In check mode Ansible skips the task; the script is not run.
  diff_mode:
    support: none
notes:
  - The VM must be running; Azure refuses (C(OperationNotAllowed)) otherwise.
  - Against azemu, the local emulator, nothing runs; azemu answers from what it knows of the VM
    (see the emulator's README).
seealso:
  - module: cloudlb.azure.virtual_machine
  - name: Run scripts in a Linux VM with action run command
    description: Azure's documentation of the run-command API and its limits.
    link: https://learn.microsoft.com/azure/virtual-machines/linux/run-command
author:
  - cloudlb contributors (@cloudlb)
"""

EXAMPLES = r"""
- name: Is nginx active on myVM1?
  cloudlb.azure.vm_run_command:
    resource_group: myResourceGroupLB
    name: myVM1
    script: systemctl is-active nginx
  register: nginx
  failed_when: nginx.rc not in [0, 3]

- name: Upgrade packages, reporting a change only when apt upgraded something
  cloudlb.azure.vm_run_command:
    resource_group: myResourceGroupLB
    name: myVM1
    script: |
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -q
      apt-get upgrade -y -q
  register: upgrade
  changed_when: "' upgraded,' in upgrade.stdout and not upgrade.stdout is search('^0 upgraded', multiline=True)"
"""

RETURN = r"""
stdout:
  description: What the script wrote to standard output (its last 4096 bytes).
  returned: when the script ran and O(wait=true)
  type: str
  sample: "active"
stdout_lines:
  description: RV(stdout) split into lines.
  returned: when the script ran and O(wait=true)
  type: list
  elements: str
stderr:
  description: What the script wrote to standard error (its last 4096 bytes).
  returned: when the script ran and O(wait=true)
  type: str
  sample: ""
stderr_lines:
  description: RV(stderr) split into lines.
  returned: when the script ran and O(wait=true)
  type: list
  elements: str
rc:
  description:
    - The script's exit status, as the VM agent reports it; V(null) when Azure gave none.
  returned: when the script ran and O(wait=true)
  type: int
  sample: 0
statuses:
  description: The statuses Azure returned (C(code), C(level), C(displayStatus), C(message)), as they are.
  returned: when the script ran and O(wait=true)
  type: list
  elements: dict
"""

from ansible_collections.cloudlb.azure.plugins.module_utils._compute import (
    power_state,
    run_command_result,
    statuses_of,
    vm_name_problem,
)
from ansible_collections.cloudlb.azure.plugins.module_utils._errors import ModuleFailure, azure_call, check_options
from ansible_collections.cloudlb.azure.plugins.module_utils._module import AzureModule
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_ops import as_json, fetch
from ansible_collections.cloudlb.azure.plugins.module_utils._resource_group import name_problem
from ansible_collections.cloudlb.azure.plugins.module_utils._result import Result

ARGUMENT_SPEC = dict(
    resource_group=dict(type="str", required=True),
    name=dict(type="str", required=True),
    script=dict(type="str", required=True),
    changed=dict(type="bool", default=False),
)


def options(module):
    """The task's options checked; OptionError for anything Azure would refuse. No request yet."""
    params = module.params
    check_options([name_problem(params["resource_group"]), vm_name_problem(params["name"]),
                   "script is empty" if not params["script"].strip() else None])
    return params


def run(module, spec):
    """Run the script on the running VM; its output (a failure when it exits non-zero)."""
    group, name = spec["resource_group"], spec["name"]
    what = f"the script on virtual machine {name}"
    vms = module.client("compute").virtual_machines
    # Read first: a run command on a VM that is missing or not running is refused (a POST sent in vain).
    vm = fetch(module, lambda: vms.instance_view(group, name), f"virtual machine {name}")
    if vm is None:
        raise ModuleFailure(f"name: virtual machine {name} does not exist in resource group {group}")
    state = power_state(statuses_of(vm))
    if state is not None and state != "running":
        raise ModuleFailure(f"name: virtual machine {name} is {state}; Azure runs a command only on a running VM")
    body = {"commandId": "RunShellScript", "script": spec["script"].splitlines()}
    poller = azure_call(f"Failed to run {what}", vms.begin_run_command, group, name, body)
    done = module.wait_for(poller, f"{what} to finish")
    if done is None:
        return Result(spec["changed"], diff=False, msg=f"Azure accepted {what}; it runs without this task waiting")
    statuses = (as_json(done) or {}).get("value") or []
    outcome = run_command_result(statuses)
    returned = dict(
        stdout=outcome["stdout"],
        stdout_lines=outcome["stdout"].splitlines(),
        stderr=outcome["stderr"],
        stderr_lines=outcome["stderr"].splitlines(),
        rc=outcome["exit_status"],
        statuses=statuses,
    )
    if not outcome["succeeded"] or outcome["exit_status"]:
        raise ModuleFailure(f"The script on virtual machine {name} failed (exit status {outcome['exit_status']})",
                            changed=spec["changed"], **returned)
    return Result(spec["changed"], diff=False, **returned)


def main():
    # Ansible skips the task in check mode: a script's effect cannot be predicted.
    module = AzureModule(argument_spec=ARGUMENT_SPEC, wait=True, supports_check_mode=False)
    module.run(options, run)


if __name__ == "__main__":
    main()

"""What `virtualMachines/{vm}/runCommand` answers on azemu.

azemu runs nothing on this machine. It reads the script the way a shell would, line by line
(`;` separates commands too, `sudo` is dropped), and answers the few commands whose output it
knows from the VM's model; every other command is taken as having succeeded without output.

| command | stdout |
| --- | --- |
| `echo ARGS` (`-n`; `>&2` or `1>&2` sends it to stderr) | ARGS |
| `hostname`, `cat /etc/hostname` | the VM's computer name |
| `cat /var/lib/cloud/instance/user-data.txt` | the custom data the VM was created with |
| `cloud-init status` (`--wait` too) | `status: done` |
| `true`, `:` | nothing, status 0 |
| `false` | nothing, status 1 |
| `exit N` | ends the script with status N |

The exit status is the last command's, as with `sh`. The answer has the shape Linux VMs give:
one `ProvisioningState/succeeded` status whose message holds both streams, or, for a
non-zero status, `ProvisioningState/failed/0` with "Enable failed: ... exit status=N". Like
Azure, each stream keeps only its last 4096 bytes.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

MAX_STREAM = 4096
USER_DATA_PATH = "/var/lib/cloud/instance/user-data.txt"


@dataclass
class Machine:
    """What azemu knows of the VM the script runs on."""
    computer_name: str
    user_data: str | None = None


@dataclass
class Outcome:
    stdout: str = ""
    stderr: str = ""
    status: int = 0
    commands: list[str] = field(default_factory=list)


def _commands(script: str) -> list[str]:
    out = []
    for line in script.splitlines():
        for part in line.split(";"):
            part = part.strip()
            if part and not part.startswith("#"):
                out.append(part)
    return out


def run(script: str, machine: Machine) -> Outcome:
    outcome = Outcome()
    for command in _commands(script):
        outcome.commands.append(command)
        try:
            words = shlex.split(command)
        except ValueError:
            outcome.stderr += f"sh: syntax error: {command}\n"
            outcome.status = 2
            continue
        while words and words[0] == "sudo":
            words = words[1:]
        if not words:
            continue
        name, args = words[0], words[1:]
        to_stderr = False
        for redirect in (">&2", "1>&2"):
            if redirect in args:
                args = [a for a in args if a != redirect]
                to_stderr = True
        text, status = "", 0
        if name == "exit":
            outcome.status = int(args[0]) if args and args[0].lstrip("-").isdigit() else outcome.status
            break
        if name == "echo":
            newline = not (args and args[0] == "-n")
            text = " ".join(args[1:] if not newline else args) + ("\n" if newline else "")
        elif name == "hostname" or (name == "cat" and args == ["/etc/hostname"]):
            text = machine.computer_name + "\n"
        elif name == "cat" and args == [USER_DATA_PATH]:
            if machine.user_data is None:
                text, status = "", 1
                outcome.stderr += f"cat: {USER_DATA_PATH}: No such file or directory\n"
            else:
                text = machine.user_data
        elif name == "cloud-init" and args[:1] == ["status"]:
            text = "status: done\n"
        elif name == "false":
            status = 1
        if to_stderr:
            outcome.stderr += text
        else:
            outcome.stdout += text
        outcome.status = status
    return outcome


def statuses(outcome: Outcome) -> list[dict[str, Any]]:
    """The `value` of the run-command result for a Linux VM."""
    stdout = outcome.stdout[-MAX_STREAM:]
    stderr = outcome.stderr[-MAX_STREAM:]
    streams = f"[stdout]\n{stdout}\n[stderr]\n{stderr}"
    if outcome.status == 0:
        return [{"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded",
                 "message": f"Enable succeeded: \n{streams}"}]
    return [{"code": "ProvisioningState/failed/0", "level": "Error", "displayStatus": "Provisioning failed",
             "message": f"Enable failed: failed to execute command: command terminated with exit status="
                        f"{outcome.status}\n{streams}"}]

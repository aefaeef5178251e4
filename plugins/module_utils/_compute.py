# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Virtual machines as the modules see them: option checks, image references, instance views,
custom data and run-command output. Pure functions, no SDK.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

# `az vm create` defaults: size Standard_D2s_v5 (Azure CLI since May 2026), image Ubuntu2404;
# the administrator is the tutorial's azureuser (az would take the local user name).
DEFAULT_SIZE = "Standard_D2s_v5"
DEFAULT_IMAGE = "Canonical:ubuntu-24_04-lts:server:latest"
DEFAULT_ADMIN_USERNAME = "azureuser"

# The image aliases `az vm image list --all` calls "popular" and that run Linux.
IMAGE_ALIASES = {
    "ubuntu2404": "Canonical:ubuntu-24_04-lts:server:latest",
    "ubuntu2204": "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest",
    "debian12": "Debian:debian-12:12-gen2:latest",
    "debian11": "Debian:debian-11:11-backports-gen2:latest",
}
IMAGE_FIELDS = ("publisher", "offer", "sku", "version")

# The tag that remembers which custom data a VM was created with (Azure never returns it).
CUSTOM_DATA_TAG = "cloudlb-custom-data-sha256"
# Azure's limit on osProfile.customData, counted in base64 characters.
CUSTOM_DATA_MAX_BASE64 = 87380

OS_DISK_TYPES = ("Standard_LRS", "StandardSSD_LRS", "Premium_LRS", "StandardSSD_ZRS", "Premium_ZRS", "PremiumV2_LRS")
POWER_STATES = ("running", "stopped", "deallocated", "restarted")

# Azure's rules: a VM name is 1-64 characters (Linux) of letters, digits, '-', '_' and '.',
# beginning with a letter or digit and ending with a letter, digit or '_'.
VM_NAME_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?$")
# A Linux host name: letters, digits and hyphens (no underscore or period), at most 64.
COMPUTER_NAME_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$")
ADMIN_USERNAME_PATTERN = re.compile(r"^[a-z_][a-z0-9_.-]{0,63}$")
# Names Azure refuses as the administrator of a Linux VM.
RESERVED_USERNAMES = frozenset(
    """administrator admin user user1 test user2 test1 user3 admin1 1 123 a actuser adm admin2
    aspnet backup console david guest john owner root server sql support support_388945a0 sys
    test2 test3 user4 user5""".split()
)
SIZE_PATTERN = re.compile(r"^(Standard|Basic)_[A-Za-z0-9_-]+$")
# Standard_D2s_v5, Standard_B2ms, Standard_E4ds_v5: the lower-case letters after the vCPU
# count are features, "s" meaning premium storage; older names put an S in the family (DS1_v2).
SIZE_FEATURES = re.compile(r"^Standard_([A-Z]+)[0-9]+(?:-[0-9]+)?([a-z]*)(?:_|$)")
SSH_KEY_TYPES = ("ssh-rsa", "ssh-ed25519")
EXIT_STATUS = re.compile(r"exit status=(-?\d+)")


def parse_image(value):
    """(image dict with publisher/offer/sku/version, problem) from a URN, an alias or a dict."""
    if value is None:
        value = DEFAULT_IMAGE
    if isinstance(value, str):
        urn = IMAGE_ALIASES.get(value.strip().lower(), value.strip())
        parts = urn.split(":")
        if len(parts) == 3:
            parts.append("latest")
        if len(parts) != 4 or not all(parts):
            return None, (
                f"image {value!r} is neither a URN publisher:offer:sku:version (such as {DEFAULT_IMAGE})"
                f" nor one of the aliases {', '.join(sorted(IMAGE_ALIASES))}"
            )
        return dict(zip(IMAGE_FIELDS, parts)), None
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(IMAGE_FIELDS))
        if unknown:
            return None, f"image has unknown keys {', '.join(unknown)}; it takes {', '.join(IMAGE_FIELDS)}"
        image = {key: value.get(key) for key in IMAGE_FIELDS}
        if not image["version"]:
            image["version"] = "latest"
        missing = [key for key in IMAGE_FIELDS if not isinstance(image[key], str) or not image[key].strip()]
        if missing:
            return None, f"image needs {', '.join(missing)}"
        return image, None
    return None, "image must be a URN string or a dict with publisher, offer, sku and version"


def image_urn(image):
    return ":".join(image.get(key) or "" for key in IMAGE_FIELDS)


def same_image(wanted, current):
    """Does the VM's image reference match the wanted one? Names compare without case."""
    if not current:
        return False
    return all((wanted.get(key) or "").lower() == (current.get(key) or "").lower() for key in IMAGE_FIELDS)


def vm_name_problem(name):
    if not VM_NAME_PATTERN.match(name or ""):
        return (
            f"the VM name {name!r} must be 1 to 64 letters, digits, hyphens, underscores and periods,"
            " beginning with a letter or digit and ending with a letter, digit or underscore"
        )
    return None


def computer_name_problem(name):
    if not COMPUTER_NAME_PATTERN.match(name or "") or name.isdigit():
        return (
            f"the computer (host) name {name!r} must be 1 to 64 letters, digits and hyphens, not entirely"
            " digits, and cannot begin or end with a hyphen; set computer_name when the VM name has other characters"
        )
    return None


def admin_username_problem(name):
    if not ADMIN_USERNAME_PATTERN.match(name or ""):
        return (
            f"admin_username {name!r} must be 1 to 64 lower-case letters, digits, underscores, hyphens"
            " and periods, beginning with a letter or underscore"
        )
    if name in RESERVED_USERNAMES:
        return f"admin_username {name!r} is a name Azure reserves; choose another"
    return None


def password_problem(password):
    """Azure's rule for Linux admin passwords: 6-72 characters, 3 of 4 character classes."""
    if not 6 <= len(password) <= 72:
        return "admin_password must be 6 to 72 characters long"
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(classes) < 3:
        return "admin_password needs 3 of: a lower-case letter, an upper-case letter, a digit, a special character"
    return None


def ssh_key_problem(key):
    fields = (key or "").split()
    if len(fields) < 2 or fields[0] not in SSH_KEY_TYPES:
        return (
            f"ssh_public_keys: {key[:30]!r}... is not an OpenSSH public key of a type Azure accepts"
            f" ({', '.join(SSH_KEY_TYPES)}); give the content of the .pub file, not its path"
        )
    try:
        base64.b64decode(fields[1], validate=True)
    except ValueError:
        return f"ssh_public_keys: the key {fields[1][:20]!r}... is not base64"
    return None


def size_problem(size):
    if not SIZE_PATTERN.match(size or ""):
        return f"size {size!r} is not a VM size name such as {DEFAULT_SIZE}"
    return None


def takes_premium_storage(size):
    """Whether the size takes premium SSDs, read from its name as `az vm create` does."""
    match = SIZE_FEATURES.match(size or "")
    return bool(match and ("s" in match.group(2) or (len(match.group(1)) > 1 and match.group(1).endswith("S"))))


def default_os_disk_type(size):
    """`az vm create`'s choice of --storage-sku: premium when the size takes it."""
    return "Premium_LRS" if takes_premium_storage(size) else "Standard_LRS"


def encode_custom_data(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def custom_data_digest(text, salt=None):
    """The value of the custom-data tag: ``v2:<salt>:<HMAC-SHA256 of the text keyed by the salt>``,
    with a random 16-byte salt, so that equal custom data gives unequal tags on two VMs and no
    table of digests of common texts applies. Whoever reads the tags can still check a guess of
    the whole text: custom data is no place for secrets (Azure's own advice), the tag only lets
    the module tell whether a task's custom data is the one the VM was created with."""
    salt = salt or os.urandom(16).hex()
    return f"v2:{salt}:{hmac.new(salt.encode('ascii'), text.encode('utf-8'), hashlib.sha256).hexdigest()}"


def custom_data_matches(tag, text):
    """Whether ``text`` is the custom data the tag value was made from: a v2 digest, or the plain
    SHA-256 of earlier releases (VMs created then keep being recognised)."""
    if tag.startswith("v2:") and tag.count(":") == 2:
        return hmac.compare_digest(tag, custom_data_digest(text, tag.split(":")[1]))
    return hmac.compare_digest(tag, hashlib.sha256(text.encode("utf-8")).hexdigest())


def custom_data_problem(text):
    if len(encode_custom_data(text)) > CUSTOM_DATA_MAX_BASE64:
        return f"custom_data is longer than Azure's limit of {CUSTOM_DATA_MAX_BASE64} characters once base64-encoded"
    return None


def status_value(statuses, prefix):
    """The part after ``prefix`` of the first status code that starts with it.

    Instance views carry codes such as ``PowerState/running`` and ``ProvisioningState/succeeded``.
    """
    for status in statuses or []:
        code = status.get("code") or ""
        if code.lower().startswith(prefix.lower() + "/"):
            return code[len(prefix) + 1:]
    return None


def power_state(statuses):
    """``running``, ``stopped``, ``deallocated``, ``starting``, ... from instance view statuses; None if unknown."""
    value = status_value(statuses, "PowerState")
    return value.lower() if value else None


def statuses_of(instance_view):
    """The statuses list of an SDK instance view object or dict, as a list of dicts."""
    if instance_view is None:
        return []
    statuses = instance_view.get("statuses") if isinstance(instance_view, dict) else getattr(instance_view, "statuses", None)
    out = []
    for status in statuses or []:
        if isinstance(status, dict):
            out.append(status)
        else:
            out.append({"code": getattr(status, "code", None), "message": getattr(status, "message", None)})
    return out


def split_streams(message):
    """(stdout, stderr) of a Linux run-command message: ``Enable succeeded: \\n[stdout]\\n...\\n[stderr]\\n...``."""
    text = message or ""
    out_at = text.find("[stdout]\n")
    err_at = text.find("[stderr]\n")
    if out_at < 0 and err_at < 0:
        return "", text.strip("\n")
    stdout = text[out_at + len("[stdout]\n"): err_at if err_at > out_at else len(text)] if out_at >= 0 else ""
    stderr = text[err_at + len("[stderr]\n"):] if err_at >= 0 else ""
    return stdout.rstrip("\n"), stderr.rstrip("\n")


def run_command_result(statuses):
    """{stdout, stderr, exit_status, succeeded} from a run-command result's ``value`` list.

    Linux answers with one ``ProvisioningState/succeeded`` (or ``ProvisioningState/failed/...``,
    whose message names the exit status) status holding both streams; Windows with
    ``ComponentStatus/StdOut/...`` and ``ComponentStatus/StdErr/...`` statuses.
    """
    stdout = stderr = ""
    exit_status = None
    succeeded = None
    for status in statuses or []:
        code = status.get("code") or ""
        message = status.get("message") or ""
        lowered = code.lower()
        if lowered.startswith("componentstatus/stdout/"):
            stdout = message
            succeeded = lowered.endswith("/succeeded") if succeeded is None else succeeded
        elif lowered.startswith("componentstatus/stderr/"):
            stderr = message
        elif lowered.startswith("provisioningstate/"):
            succeeded = lowered.startswith("provisioningstate/succeeded")
            stdout, stderr = split_streams(message)
            match = EXIT_STATUS.search(message.split("[stdout]", 1)[0])
            if match:
                exit_status = int(match.group(1))
    if exit_status is None and succeeded is not None:
        exit_status = 0 if succeeded else None
    return {"stdout": stdout, "stderr": stderr, "exit_status": exit_status, "succeeded": bool(succeeded)}


# What a VM whose power state is changing is heading to.
SETTLES_TO = {"starting": "running", "stopping": "stopped", "deallocating": "deallocated"}


# Each power operation: the state a VM shows while it runs, and the state it ends in.
POWER_EFFECTS = {"start": ("starting", "running"), "power_off": ("stopping", "stopped"),
                 "deallocate": ("deallocating", "deallocated"), "restart": ("starting", "running")}


def power_took_effect(operation, state):
    """After a power request whose answer was lost: whether the VM's power state ``state`` shows
    that it took effect (True), that it did not (False), or cannot tell (None: a restarted VM that
    is already running again looks like one never restarted)."""
    during, after = POWER_EFFECTS[operation]
    if state == during:
        return True
    if state == after:
        return None if operation == "restart" else True
    return False


def power_actions(current, desired):
    """The power operations ("start", "power_off", "deallocate", "restart") that take a VM in
    power state ``current`` to ``desired`` (running, stopped, deallocated or restarted), in order."""
    now = SETTLES_TO.get(current, current)
    if desired == "restarted":
        return ["restart"] if now == "running" else ["start"]
    if desired is None or desired == now:
        return []
    if desired == "running":
        return ["start"]
    if desired == "stopped":
        return ["start", "power_off"] if now == "deallocated" else ["power_off"]
    return ["deallocate"]


def vm_to_dict(vm, instance_view=None):
    """The module's view of a VM from Azure's JSON (``as_dict()`` of the SDK model)."""
    props = vm.get("properties") or {}
    storage = props.get("storageProfile") or {}
    image = storage.get("imageReference") or {}
    disk = storage.get("osDisk") or {}
    profile = props.get("osProfile") or {}
    linux = profile.get("linuxConfiguration") or {}
    nics = (props.get("networkProfile") or {}).get("networkInterfaces") or []
    primary = [nic["id"] for nic in nics if (nic.get("properties") or {}).get("primary")]
    view = instance_view if instance_view is not None else props.get("instanceView")
    statuses = statuses_of(view)
    return {
        "id": vm.get("id"),
        "name": vm.get("name"),
        "location": vm.get("location"),
        "vm_id": props.get("vmId"),
        "size": (props.get("hardwareProfile") or {}).get("vmSize"),
        "image": {
            "publisher": image.get("publisher"),
            "offer": image.get("offer"),
            "sku": image.get("sku"),
            "version": image.get("version"),
            "exact_version": image.get("exactVersion"),
        },
        "computer_name": profile.get("computerName"),
        "admin_username": profile.get("adminUsername"),
        "ssh_public_keys": [key.get("keyData") for key in ((linux.get("ssh") or {}).get("publicKeys") or [])],
        "password_authentication": not linux.get("disablePasswordAuthentication", False),
        "os_disk": {
            "name": disk.get("name"),
            "id": (disk.get("managedDisk") or {}).get("id"),
            "type": (disk.get("managedDisk") or {}).get("storageAccountType"),
            "size_gb": disk.get("diskSizeGB"),
            "delete_option": disk.get("deleteOption"),
        },
        "network_interfaces": [nic["id"] for nic in nics],
        "primary_network_interface": primary[0] if primary else (nics[0]["id"] if nics else None),
        "availability_set": (props.get("availabilitySet") or {}).get("id"),
        "tags": dict(vm.get("tags") or {}),
        "provisioning_state": props.get("provisioningState"),
        "power_state": power_state(statuses),
    }

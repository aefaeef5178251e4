# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin of every cloudlb.azure module (each module's own action, plugins/action/X.py,
imports this one; ansible-lint reads a routing in meta/runtime.yml as the module's canonical
name): runs the module as ansible-core's normal action does, then keeps its secrets out of the
controller's error message. Controller-side code, so in plugin_utils, not module_utils.

When an ad-hoc ``ansible -m cloudlb.azure.X -a ...`` task fails, ansible-core 2.19 prints the
task's raw data on its ``Origin:`` line (the task has no file to point at), arguments and
secrets included. So on failure, the values of the secret options in that data are replaced by
a mask before the controller sees the result. A task from a file is left alone: its origin is
the user's own file and line, which is what is printed.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase

# The collection's no_log options: auth's secret and the VM's password and custom data.
SECRET_OPTIONS = ("secret", "admin_password", "custom_data")
MASK = "********"


def from_file(data):
    """Whether ``data`` (a task's raw data) came from a file, so the error names that file."""
    try:
        from ansible._internal._datatag._tags import Origin
    except ImportError:  # ansible-core before 2.19 prints no task data
        return True
    origin = Origin.get_tag(data)
    return origin is None or origin.path is not None


def mask_secrets(data):
    """Replace the secret options' values in an ad-hoc task's raw data (``{"args": {...}}``)."""
    args = data.get("args") if isinstance(data, dict) else None
    if not isinstance(args, dict) or from_file(data):
        return
    for key in SECRET_OPTIONS:
        if args.get(key) is not None:
            args[key] = MASK


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        try:
            result = super().run(tmp, task_vars)
            wrap_async = self._task.async_val and not self._connection.has_native_async
            result.update(self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        except BaseException:
            # A task timeout (TaskTimeoutError is a BaseException) or any other error the task
            # executor turns into a message quoting the task's data.
            mask_secrets(self._task.get_ds())
            raise
        if result.get("failed"):
            mask_secrets(self._task.get_ds())
        return result

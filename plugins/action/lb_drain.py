# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action of cloudlb.azure.lb_drain: the collection's own, which keeps secrets out of a failed
ad-hoc task's message (plugins/plugin_utils/secret_masking.py)."""

from __future__ import annotations

from ansible_collections.cloudlb.azure.plugins.plugin_utils.secret_masking import ActionModule  # noqa: F401 pylint: disable=unused-import

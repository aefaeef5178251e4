# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Attributes of every module; each module states its own support level.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return the changed status it predicts without modifying anything in Azure.
  diff_mode:
    description: Returns the resource before and after the change, or the one it would make in check mode, when run in diff mode.
"""

    # For modules in the azure action group (all of them).
    ACTIONGROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/cloudlb.azure.azure) in C(module_defaults) to set defaults, such as authentication, for this module.
    support: full
    membership:
      - cloudlb.azure.azure
"""

    # For *_info modules, which only read.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: This action does not modify state.
  diff_mode:
    support: N/A
    details: This action does not modify state.
"""

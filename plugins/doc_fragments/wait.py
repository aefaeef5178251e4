# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Options of modules whose Azure operations are long-running.
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait until Azure has finished the operation.
      - With V(false) the module returns as soon as Azure has accepted the request; the
        returned resource may then still be provisioning (or, for a deletion, still exist).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait when O(wait=true).
      - When the time is up the module fails, saying so; the operation goes on in Azure.
    type: int
    default: 600
"""

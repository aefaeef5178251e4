# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``diff: {before, after}`` result.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations


def diff_result(before, after):
    """The ``diff`` entry of a module result; an absent resource is ``{}``."""
    return {"diff": {"before": before or {}, "after": after or {}}}

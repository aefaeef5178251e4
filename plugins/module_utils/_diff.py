# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Comparing desired and current state, and the ``diff: {before, after}`` result.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations


def _same(desired, current):
    if isinstance(desired, dict) and isinstance(current, dict):
        return all(_same(value, current.get(key)) for key, value in desired.items() if value is not None)
    if isinstance(desired, str) and isinstance(current, str):
        return desired == current
    if isinstance(desired, (list, tuple)) and isinstance(current, (list, tuple)):
        return len(desired) == len(current) and all(_same(d, c) for d, c in zip(desired, current))
    return desired == current


def changed_keys(current, desired):
    """The keys of ``desired`` whose value differs from ``current``; None in ``desired`` means "leave as is".

    Nested dicts compare as subsets the same way, lists compare item by item in order.
    """
    current = current or {}
    return sorted(key for key, value in desired.items() if value is not None and not _same(value, current.get(key)))


def apply_changes(current, desired):
    """``current`` updated with the non-None values of ``desired`` (a new dict, shallow)."""
    updated = dict(current or {})
    updated.update({key: value for key, value in desired.items() if value is not None})
    return updated


def diff_result(before, after):
    """The ``diff`` entry of a module result; an absent resource is ``{}``."""
    return {"diff": {"before": before or {}, "after": after or {}}}

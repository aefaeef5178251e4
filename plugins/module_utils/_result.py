# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Result: what a module's ``ensure_present``/``ensure_absent`` returns to ``main()``.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations


class Result:
    """``changed``, the diff's ``before`` and ``after`` views (``{}`` for an absent resource),
    and what the module returns besides (``returned``, e.g. ``{"public_ip": {...}}``);
    AzureModule.exit_with exits with it. An info module's Result has no diff (``diff=False``)."""

    __slots__ = ("changed", "before", "after", "returned", "diff")

    def __init__(self, changed, before=None, after=None, diff=True, **returned):
        self.changed = bool(changed)
        self.before = before
        self.after = after
        self.diff = diff
        self.returned = returned

    def __repr__(self):
        return (f"Result(changed={self.changed}, before={self.before!r}, after={self.after!r}, diff={self.diff},"
                f" **{self.returned!r})")

    def __eq__(self, other):
        return isinstance(other, Result) and all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    __hash__ = None

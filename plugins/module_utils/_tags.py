# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Azure resource tags: the tags/append_tags options, validation and merging.

Private to the collection: nothing outside cloudlb.azure may import it.
"""

from __future__ import annotations

TAGS_ARGUMENT_SPEC = dict(
    tags=dict(type="dict"),
    append_tags=dict(type="bool", default=True),
)

# Limits Azure Resource Manager enforces on tags.
MAX_TAGS = 50
MAX_NAME_LENGTH = 512
MAX_VALUE_LENGTH = 256
FORBIDDEN_NAME_CHARACTERS = "<>%&\\?/"


def normalize_tags(tags):
    """Tags as Azure stores them: string names and string values (None becomes "")."""
    if tags is None:
        return None
    return {str(name): "" if value is None else str(value) for name, value in tags.items()}


def tag_problems(tags):
    """What is wrong with ``tags`` for Azure, as a list of sentences (empty when valid)."""
    problems = []
    if not tags:
        return problems
    if len(tags) > MAX_TAGS:
        problems.append(f"Azure allows at most {MAX_TAGS} tags, got {len(tags)}")
    for name, value in tags.items():
        if not name:
            problems.append("a tag name cannot be empty")
        elif len(name) > MAX_NAME_LENGTH:
            problems.append(f"tag name {name[:40]!r}... is longer than {MAX_NAME_LENGTH} characters")
        elif any(char in FORBIDDEN_NAME_CHARACTERS for char in name):
            problems.append(f"tag name {name!r} contains one of {FORBIDDEN_NAME_CHARACTERS}")
        if len(value) > MAX_VALUE_LENGTH:
            problems.append(f"the value of tag {name!r} is longer than {MAX_VALUE_LENGTH} characters")
    return problems


def merge_tags(current, desired, append=True):
    """(tags to store, changed) from the current tags and the tags option.

    ``desired`` None leaves the tags alone. With ``append`` the desired tags are added to or
    overwrite the current ones; without it they replace them entirely.
    """
    current = normalize_tags(current) or {}
    desired = normalize_tags(desired)
    if desired is None:
        return current, False
    result = {**current, **desired} if append else dict(desired)
    return result, result != current

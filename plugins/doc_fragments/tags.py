# Copyright (c) cloudlb.azure contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Options of modules whose resource carries Azure tags.
    DOCUMENTATION = r"""
options:
  tags:
    description:
      - Tags of the resource, as a dictionary of names and values.
      - Values are stored as strings. Azure allows at most 50 tags; a name has at most 512
        characters and none of C(<>%&\?/), a value at most 256 characters.
      - When omitted, the tags are left as they are.
    type: dict
  append_tags:
    description:
      - With V(true), O(tags) are added to the resource's tags, changing the value of tags
        already there, and other tags are kept.
      - With V(false), the resource ends up with exactly O(tags); O(tags={}) removes all tags.
    type: bool
    default: true
"""

"""Checks of body fields every provider shares: enums, integers in a range, booleans.

Azure's enums are strings (x-ms-enum, mostly `modelAsString`) that its resource providers
parse in any case and then store and answer in the spec's spelling: `"createOption":
"fromImage"` (az's VM template, Microsoft's own SDK sample) comes back `"FromImage"`. Every enum
azemu checks is an `Enum` made here, named after the spec's x-ms-enum and listed in `ENUMS`,
so the tests can walk them all (and compare them with the specs). How a provider words the
refusal of a value is the provider's (`refuse`): Network and Compute answer differently.
"""

from __future__ import annotations

from typing import Any, Callable

from ..errors import ArmError

Refusal = Callable[[Any, str, "Enum"], ArmError]

ENUMS: dict[str, "Enum"] = {}   # "Microsoft.Network/ProbeProtocol" -> Enum


class Enum:
    def __init__(self, namespace: str, name: str, values: tuple[str, ...], refuse: Refusal):
        self.namespace, self.name, self.values, self.refuse = namespace, name, values, refuse
        self.by_lower = {v.lower(): v for v in values}

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def canonical(self, value: Any) -> str | None:
        """The spec's spelling of `value`, None when it is not one of the values."""
        return self.by_lower.get(value.lower()) if isinstance(value, str) else None

    def check(self, value: Any, what: str, default: str | None = None) -> str | None:
        """`value` in the spec's spelling (`default` when it is None); the provider's refusal
        for anything else. `what` names the field in the refusal."""
        if value is None:
            return default
        found = self.canonical(value)
        if found is None:
            raise self.refuse(value, what, self)
        return found

    def normalize(self, obj: dict[str, Any], key: str, default: str | None = None) -> str | None:
        """obj[key] checked and respelled in place (set to `default` when absent, left absent
        without one); the value it now has."""
        value = self.check(obj.get(key), key, default)
        if value is not None:
            obj[key] = value
        return value


def enum(namespace: str, name: str, *values: str, refuse: Refusal) -> Enum:
    """Declare (and register) an enum of `namespace`: `name` and `values` as the spec has them."""
    made = Enum(namespace, name, values, refuse)
    if made.key in ENUMS:
        raise ValueError(f"enum {made.key} is declared twice")
    ENUMS[made.key] = made
    return made


def is_integer(value: Any) -> bool:
    """A JSON integer: Python's bool is an int, JSON's true is not a number."""
    return isinstance(value, int) and not isinstance(value, bool)


def integer(props: dict[str, Any], key: str, low: int, high: int, default: int | None = None) -> int | None:
    """props[key] checked to be an integer in [low, high], set to `default` when absent."""
    value = props.get(key, default)
    if value is None:
        return None
    if not is_integer(value) or not low <= value <= high:
        raise ArmError.invalid(f"'{key}' must be an integer between {low} and {high}, not {value!r}.", target=key)
    props[key] = value
    return value


def flag(props: dict[str, Any], key: str, default: bool = False) -> None:
    """props[key] checked to be a boolean, set to `default` when absent or null."""
    value = props.get(key, default)
    if value is None:
        value = default
    if not isinstance(value, bool):
        raise ArmError.invalid(f"'{key}' must be true or false, not {value!r}.", target=key)
    props[key] = value

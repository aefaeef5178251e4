"""Swagger 2.0 schemas as JSON Schema (draft 4, which Swagger 2.0 schemas are a dialect of),
checked by `jsonschema` with a few keywords of our own for what Swagger adds.

Translation, per schema node:
- `$ref` -> `{"x-ref": <the translated definition>}`: the translated schemas are one graph of
  Python dicts (cycles included, as Network's definitions refer to each other), so a
  reference is followed without a lookup. Each definition is translated twice: `full` (used
  where a value is the definition) and `base` (used from an `allOf`, without the check of
  unknown properties, which only the whole composition can make). A ref into a file that is
  not in the reference becomes `{"x-stand-in": ref}`: it accepts anything and counts each use.
- `x-nullable: true` -> the type also allows null; no `x-nullable`, no null (as the spec says).
- `enum` -> `x-enum`: a value that is in the list passes; one that matches an entry only
  case-insensitively fails as `enum-casing` (Azure accepts any casing and answers its own,
  canonical one); any other value fails only when the enum is closed (`x-ms-enum.modelAsString`
  false or absent), since modelAsString enums are open.
- `properties`/`allOf` -> `x-known`: the property names of the whole composition; any other key
  in a response is reported (`undocumented-property`), as Azure's own live validator (oav)
  reports additional properties. Not where `additionalProperties` is given (a map) or a stand-in
  hides part of the composition.
- `x-ms-secret`, `x-ms-mutability` without `read` -> `x-not-returned`: such a property must not
  appear in a response.
- `discriminator` -> `x-discriminator`: the subtype whose `x-ms-discriminator-value` (or name)
  the value carries is validated as well (the reference's files have none today).
- `readOnly` needs nothing for responses; `required`, `items`, `additionalProperties`,
  `minimum`/`maximum`/`pattern`/... are JSON Schema's; `format`s checked: `date-time`, `uuid`,
  `int32`, `int64`, `duration`, `uri`.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterator
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker, ValidationError, validators

from .index import Operation, SpecIndex

COPIED = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
          "minItems", "maxItems", "uniqueItems", "multipleOf")


class SchemaSet:
    """The translated schemas of a SpecIndex, and a cached validator per (operation, status)."""

    def __init__(self, index: SpecIndex):
        self.index = index
        self.stand_ins: Counter[str] = Counter()          # ref -> responses that used its stand-in
        self._definitions: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._subtypes = self._discriminator_subtypes()
        self._validators: dict[tuple[str, str, str], Any] = {}

        def stand_in(validator, ref, instance, schema):
            self.stand_ins[ref] += 1
            return ()
        self._cls = validators.extend(Draft4Validator, {**KEYWORDS, "x-stand-in": stand_in})

    # --- validators --------------------------------------------------------------------------

    def validator(self, op: Operation, status_key: str):
        """A validator for the body of `op`'s response `status_key` ("200", "default"), or None
        when that response documents no body."""
        key = (op.file, op.id, status_key)
        if key not in self._validators:
            schema = op.responses.get(status_key, {}).get("schema")
            self._validators[key] = None if schema is None else self._cls(
                self.node(schema, op.file), format_checker=FORMATS)
        return self._validators[key]

    def enum_pointers(self, op: Operation, status_key: str, body: Any) -> set[str]:
        """JSON pointers (array indices as *) of the values in `body` that the response schema
        makes enums: what a comparison of two answers should compare by value."""
        schema = op.responses.get(status_key, {}).get("schema")
        found: set[str] = set()
        if schema is not None:
            self._walk(self.node(schema, op.file), body, "", found, 0)
        return found

    def _walk(self, schema: dict[str, Any], value: Any, pointer: str, found: set[str], depth: int) -> None:
        while "x-ref" in schema:
            schema = schema["x-ref"]
        if depth > 64:
            return
        for member in (*schema.get("allOf", ()), *schema.get("anyOf", ())):
            self._walk(member, value, pointer, found, depth + 1)
        if "x-enum" in schema:
            found.add(pointer)
        if isinstance(value, dict):
            props, extra = schema.get("properties", {}), schema.get("additionalProperties")
            for key, item in value.items():
                sub = props.get(key, extra if isinstance(extra, dict) else None)
                if sub is not None:
                    self._walk(sub, item, f"{pointer}/{key}", found, depth + 1)
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            for item in value:
                self._walk(schema["items"], item, pointer + "/*", found, depth + 1)

    # --- translation ---------------------------------------------------------------------------

    def definition(self, file: str, name: str, form: str = "full") -> dict[str, Any]:
        """The translated definition, made once; refs to it (recursive ones too) share it."""
        key = (file, name, form)
        if key not in self._definitions:
            self._definitions[key] = translated = {}      # there before its body, for cycles
            translated.update(self.node(self.index.files[file]["definitions"][name], file,
                                        base=form == "base", definition=name))
        return self._definitions[key]

    def node(self, node: Any, file: str, *, base: bool = False, definition: str | None = None) -> dict[str, Any]:
        if not isinstance(node, dict):
            return {}
        if "$ref" in node:
            return self._ref(file, node["$ref"], "full", nullable=node.get("x-nullable") is True)
        out: dict[str, Any] = {}
        kind = node.get("type")
        if kind in ("object", "array", "string", "integer", "number", "boolean"):
            out["type"] = [kind, "null"] if node.get("x-nullable") is True else kind
        out.update({k: node[k] for k in COPIED if k in node})
        if isinstance(node.get("pattern"), str) and _python_regex(node["pattern"]):
            out["pattern"] = node["pattern"]
        if "format" in node:
            out["format"] = node["format"]
        if "enum" in node:
            open_ = (node.get("x-ms-enum") or {}).get("modelAsString") is True
            out["x-enum"] = {"values": node["enum"], "open": open_}
        props = node.get("properties") or {}
        if props:
            out["properties"] = {k: self.node(v, file) for k, v in props.items()}
            hidden = {k: _not_returned(v) for k, v in props.items() if _not_returned(v)}
            if hidden:
                out["x-not-returned"] = hidden
        if node.get("required"):
            out["required"] = list(node["required"])
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            out["additionalProperties"] = self.node(extra, file)
        if "items" in node:
            out["items"] = self.node(node["items"], file)
        if node.get("allOf"):
            out["allOf"] = [self._ref(file, m["$ref"], "base") if "$ref" in m else self.node(m, file, base=True)
                            for m in node["allOf"]]
        subtypes = self._subtypes.get((file, definition)) if definition else None
        if subtypes:
            out["x-discriminator"] = {"property": node["discriminator"], "mapping": {
                value: _Lazy(self, *where) for value, where in subtypes.items()}}
        elif not base and extra is None and (props or node.get("allOf")) and kind in (None, "object"):
            known = self._known(node, file, ())
            if known is not None:
                out["x-known"] = sorted(known)
        return out

    def _ref(self, file: str, ref: str, form: str, nullable: bool = False) -> dict[str, Any]:
        found = self.index.resolve(file, ref)
        if found is None:
            return {"x-stand-in": ref.rsplit("/", 1)[-1] + " (" + self.index.ref_target(file, ref)[0] + ")"}
        target, pointer, _ = found
        parts = pointer.strip("/").split("/")
        if len(parts) != 2 or parts[0] != "definitions":
            return self.node(found[2], target)
        out = {"x-ref": self.definition(target, parts[1], form)}
        return {"anyOf": [out, {"type": "null"}]} if nullable else out

    def _known(self, node: dict[str, Any], file: str, seen: tuple) -> set[str] | None:
        """Property names of a composition (own properties and its allOf's), or None when a
        member is open (a map, a stand-in, a discriminated base)."""
        if node.get("additionalProperties") not in (None, False) or node.get("discriminator"):
            return None
        names = set(node.get("properties") or {})
        for member in node.get("allOf") or ():
            if "$ref" in member:
                found = self.index.resolve(file, member["$ref"])
                if found is None:
                    return None
                if (found[0], found[1]) in seen:
                    continue
                sub = self._known(found[2], found[0], seen + ((found[0], found[1]),))
            else:
                sub = self._known(member, file, seen)
            if sub is None:
                return None
            names |= sub
        return names

    def _discriminator_subtypes(self) -> dict[tuple[str, str], dict[str, tuple[str, str]]]:
        """(file, base definition) -> {discriminator value: (file, subtype)}, over every file."""
        found: dict[tuple[str, str], dict[str, str]] = {}
        for file, doc in self.index.files.items():
            for name, d in (doc.get("definitions") or {}).items():
                for member in d.get("allOf") or ():
                    target = self.index.resolve(file, member.get("$ref", "")) if "$ref" in member else None
                    if target and isinstance(target[2], dict) and target[2].get("discriminator"):
                        value = d.get("x-ms-discriminator-value", name)
                        base = (target[0], target[1].rsplit("/", 1)[-1])
                        found.setdefault(base, {})[value] = (file, name)
        return found


def _not_returned(prop: Any) -> str | None:
    if not isinstance(prop, dict):
        return None
    if prop.get("x-ms-secret") is True:
        return "a secret (x-ms-secret) is never returned"
    mutability = prop.get("x-ms-mutability")
    if isinstance(mutability, list) and "read" not in mutability:
        return f"x-ms-mutability {mutability} has no 'read': it is never returned"
    return None


def _python_regex(pattern: str) -> bool:
    try:
        re.compile(pattern)
        return True
    except re.error:       # .NET syntax Python lacks: the pattern goes unchecked
        return False


# --- keywords ---------------------------------------------------------------------------------

def _x_enum(validator, spec, instance, schema) -> Iterator[ValidationError]:
    values = spec["values"]
    if instance in values:
        return
    if isinstance(instance, str):
        canonical = next((v for v in values if isinstance(v, str) and v.lower() == instance.lower()), None)
        if canonical is not None:
            yield ValidationError(f"'{instance}' is not Azure's casing: the spec's value is '{canonical}'",
                                  validator="enum-casing")
            return
    if not spec["open"]:
        yield ValidationError(f"{instance!r} is not one of {values}", validator="enum")


def _x_known(validator, known, instance, schema) -> Iterator[ValidationError]:
    if isinstance(instance, dict):
        for key in instance:
            if key not in known:
                yield ValidationError(f"'{key}' is not a property the spec defines here",
                                      validator="undocumented-property", path=[key])


def _x_not_returned(validator, hidden, instance, schema) -> Iterator[ValidationError]:
    if isinstance(instance, dict):
        for key, why in hidden.items():
            if key in instance:
                yield ValidationError(f"'{key}' is in the response, but {why}", validator="not-returned", path=[key])


def _x_ref(validator, target, instance, schema) -> Iterator[ValidationError]:
    yield from validator.descend(instance, target)


def _x_discriminator(validator, spec, instance, schema) -> Iterator[ValidationError]:
    if isinstance(instance, dict) and instance.get(spec["property"]) in spec["mapping"]:
        yield from validator.descend(instance, spec["mapping"][instance[spec["property"]]].schema)


class _Lazy:
    """A subtype's schema, translated when first used (a subtype refers to its base)."""

    def __init__(self, schemas: SchemaSet, file: str, name: str):
        self._args = (schemas, file, name)

    @property
    def schema(self) -> dict[str, Any]:
        schemas, file, name = self._args
        return schemas.definition(file, name)


KEYWORDS = {"x-ref": _x_ref, "x-enum": _x_enum, "x-known": _x_known, "x-not-returned": _x_not_returned,
            "x-discriminator": _x_discriminator}


# --- formats ----------------------------------------------------------------------------------

FORMATS = FormatChecker(formats=())
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DURATION = re.compile(r"^-?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


@FORMATS.checks("date-time")
def _date_time(value) -> bool:
    return not isinstance(value, str) or bool(_DATE_TIME.match(value))


@FORMATS.checks("uuid")
def _uuid(value) -> bool:
    return not isinstance(value, str) or bool(_UUID.match(value))


@FORMATS.checks("duration")
def _duration(value) -> bool:
    return not isinstance(value, str) or bool(_DURATION.match(value))


@FORMATS.checks("uri")
def _uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


@FORMATS.checks("int32")
def _int32(value) -> bool:
    return not isinstance(value, int) or -2**31 <= value < 2**31


@FORMATS.checks("int64")
def _int64(value) -> bool:
    return not isinstance(value, int) or -2**63 <= value < 2**63

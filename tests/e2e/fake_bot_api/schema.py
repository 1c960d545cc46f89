"""The Bot API's machine-readable description (``api.min.json``) and the types it defines."""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPEC_ENV_VAR = "TELEGRAM_API_SPEC"

_MAX_NESTING = 32
_CONSTANT_RE = re.compile(r"(?:must be|always) [\"“]?([a-z_]+)[\"”]?")

SCALAR_CHECKS: dict[str, Callable[[Any], bool]] = {
    "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "Boolean": lambda v: isinstance(v, bool),
    "String": lambda v: isinstance(v, str),
    "InputFile": lambda v: isinstance(v, str),  # nested files are attach:// URIs
}
SCALAR_TYPES = frozenset(SCALAR_CHECKS)


def default_spec_path() -> Path:
    """Locate ``api.min.json``: ``$TELEGRAM_API_SPEC``, else the copy in ``tests/e2e/``
    (``telegram-bot-api/``, with its MIT licence), so a clone alone runs the tests."""
    env_value = os.environ.get(SPEC_ENV_VAR)
    if env_value:
        path = Path(env_value)
        if not path.is_file():
            raise FileNotFoundError(f"{SPEC_ENV_VAR}={env_value!r} does not point to a file")
        return path
    return Path(__file__).resolve().parent.parent / "telegram-bot-api" / "api.min.json"


@dataclass(frozen=True)
class Field:
    """A parameter of a method, or a field of a type."""

    name: str
    types: tuple[str, ...]
    required: bool
    # Discriminator value of a subtype, e.g. BotCommandScopeChat.type == "chat".
    constant: str | None = None


@dataclass(frozen=True)
class Method:
    """A Bot API method and its parameters."""

    name: str
    fields: Mapping[str, Field]


@dataclass(frozen=True)
class TypeDef:
    """A Bot API type: its fields, or the subtypes it is one of."""

    name: str
    fields: Mapping[str, Field]
    subtypes: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    """The methods and types of one Bot API version."""

    version: str
    methods: Mapping[str, Method]  # keyed by lower-case name: Telegram ignores the case
    types: Mapping[str, TypeDef]

    def canonical(self, method: str) -> str:
        """The method's name as the spec spells it; ValueError if there is no such method."""
        found = self.methods.get(method.lower())
        if found is None:
            raise ValueError(f"{method!r} is not a Bot API method")
        return found.name

    def match_any(
        self, value: Any, types: tuple[str, ...], path: str, depth: int
    ) -> tuple[float, str] | None:
        """None if ``value`` is one of ``types``, else how deep it got and what is wrong."""
        mismatches: list[tuple[float, str]] = []
        for type_expr in types:
            mismatch = self.match(value, type_expr, path, depth)
            if mismatch is None:
                return None
            mismatches.append(mismatch)
        # Report the alternative that got furthest: most likely the one that was meant.
        return max(mismatches, key=lambda item: item[0]) if mismatches else None

    def match(self, value: Any, type_expr: str, path: str, depth: int) -> tuple[float, str] | None:
        """None if ``value`` is a ``type_expr``, else how deep it got and what is wrong."""
        if depth > _MAX_NESTING:
            return depth, f"{path} is nested too deeply"
        if type_expr.startswith("Array of "):
            if not isinstance(value, list):
                return depth, f"{path} must be an Array"
            inner = type_expr.removeprefix("Array of ")
            for index, item in enumerate(value):
                mismatch = self.match(item, inner, f"{path}[{index}]", depth + 1)
                if mismatch is not None:
                    return mismatch
            return None
        scalar_ok = SCALAR_CHECKS.get(type_expr)
        if scalar_ok is not None:
            return None if scalar_ok(value) else (depth, f"{path} must be {type_expr}")
        typedef = self.types.get(type_expr)
        if typedef is None:
            return None
        if typedef.subtypes:
            return self.match_any(value, typedef.subtypes, path, depth)
        if not isinstance(value, dict):
            return depth, f"{path} must be a {type_expr} object"
        for spec_field in typedef.fields.values():
            item = value.get(spec_field.name)
            if item is None:
                if spec_field.required:
                    return depth, f"{path}.{spec_field.name} is required in {type_expr}"
                continue
            if spec_field.constant is not None and item != spec_field.constant:
                # Ranked below other mismatches: it only says "this is another subtype".
                return depth - 0.5, f'{path}.{spec_field.name} must be "{spec_field.constant}"'
            item_path = f"{path}.{spec_field.name}"
            mismatch = self.match_any(item, spec_field.types, item_path, depth + 1)
            if mismatch is not None:
                return mismatch
        return None


def _parse_fields(raw_fields: list[dict[str, Any]], *, is_subtype: bool) -> dict[str, Field]:
    fields: dict[str, Field] = {}
    for raw in raw_fields:
        name = str(raw["name"])
        constant = None
        if is_subtype and name in {"type", "source", "status"}:
            match = _CONSTANT_RE.search(str(raw.get("description", "")))
            constant = match.group(1) if match else None
        fields[name] = Field(
            name=name,
            types=tuple(str(t) for t in raw["types"]),
            required=bool(raw.get("required", False)),
            constant=constant,
        )
    return fields


@functools.lru_cache(maxsize=4)
def load_spec(path: Path) -> Spec:
    """The spec in ``path``; ValueError if it is not one."""
    # Cached: the file is ~650 kB and every test builds a fresh server.
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        methods = {
            str(name).lower(): Method(
                name=str(raw["name"]),
                fields=_parse_fields(raw.get("fields", []), is_subtype=False),
            )
            for name, raw in document["methods"].items()
        }
        types = {
            str(name): TypeDef(
                name=str(name),
                fields=_parse_fields(raw.get("fields", []), is_subtype="subtype_of" in raw),
                subtypes=tuple(raw.get("subtypes", ())),
            )
            for name, raw in document["types"].items()
        }
        return Spec(version=str(document.get("version", "?")), methods=methods, types=types)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not a usable Telegram Bot API spec: {exc}") from exc

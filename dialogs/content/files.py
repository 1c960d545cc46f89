"""Reading content files: the folder, the one error every loader raises, YAML into a pydantic
model, and what a pydantic error or a template's placeholders say about the file. Shared by the
loaders of the flows and texts (`load`), the times (`times`), the crisis phrases
(`safety.crisis`) and the team meeting (`meeting.content`), which import nothing from each other
for it."""

from __future__ import annotations

from pathlib import Path
from string import Formatter
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

# The shipped content: the YAML folders next to these modules.
DEFAULT_CONTENT_DIR = Path(__file__).parent
Model = TypeVar("Model", bound=BaseModel)


class ContentError(Exception):
    """The content cannot be used; the message names the file and the key."""


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"{path}: cannot be read: {error}") from None


def describe(path: Path, error: ValidationError) -> str:
    """A pydantic error as one line that names the file and where in it."""
    issues = "; ".join(
        f"{'.'.join(str(part) for part in issue['loc']) or '(top)'}: {issue['msg']}"
        for issue in error.errors()
    )
    return f"{path}: {issues}"


def read_model(path: Path, model: type[Model]) -> Model:
    """The YAML file as `model`; a ContentError names the file and where in it it is wrong."""
    try:
        return model.model_validate(read_yaml(path))
    except ValidationError as error:
        raise ContentError(describe(path, error)) from None


def check_placeholders(path: Path, key: str, template: str, allowed: set[str]) -> None:
    """A template may use only the placeholders its code fills in."""
    try:
        fields = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise ContentError(f"{path}: key {key}: {error}") from None
    unknown = fields - allowed
    if unknown:
        raise ContentError(
            f"{path}: key {key} uses {{{', '.join(sorted(unknown))}}}; "
            f"it may use only {', '.join(sorted(allowed)) or 'no placeholders'}"
        )

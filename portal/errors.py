"""The project's own errors: each names the file, the line when known, and what was expected."""
from __future__ import annotations

from typing import Optional


class PortalError(Exception):
    """A problem a user can fix in an input file; printed as ``file:line: message``, never as a traceback."""

    def __init__(self, path: str, message: str, line: Optional[int] = None):
        super().__init__(message)
        self.path = str(path)
        self.line = line
        self.message = message

    def __reduce__(self):
        # Raised in a worker process, it is pickled back to the main one: rebuild it from its own fields.
        return type(self), (self.path, self.message, self.line)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class SourceError(PortalError):
    """A source document that cannot be parsed."""


class DataError(PortalError):
    """A YAML data file that cannot be loaded or does not match the schema."""


class ConfigError(PortalError):
    """A bad config.yaml."""


class TemplateError(PortalError):
    """A template that fails to load or render."""


def yaml_syntax_error(kind: type[PortalError], path: str, exc: Exception) -> PortalError:
    """A PyYAML error as one of ours, at the line PyYAML marked."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return kind(path, f"YAML syntax error: {problem}", mark.line + 1 if mark else None)

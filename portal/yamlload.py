"""Loading the YAML that people write by hand (config.yaml, edited data files)."""
from __future__ import annotations

import yaml


class KeyGivenTwice(ValueError):
    """A mapping with a key twice; ``message`` and ``line`` for the caller's own error, which names the file."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message, self.line = message, line


class SafeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when available: ~10x faster
    """YAML's safe loader, but a key given twice is an error: PyYAML keeps the last silently, and a person who
    adds `year: 2025` below `year: 2024` would lose one of them without a word."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[tuple, int] = {}
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                line = key.start_mark.line + 1
                if (key.tag, key.value) in seen:
                    first = seen[key.tag, key.value]
                    where = f"lines {first} and {line}" if first != line else f"line {line}"
                    raise KeyGivenTwice(f"'{key.value}' is given twice ({where}): keep one", line)
                seen[key.tag, key.value] = line
        return super().construct_mapping(node, deep)

"""What every area's ``checks`` module returns: the clean values and a message per field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Checked:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

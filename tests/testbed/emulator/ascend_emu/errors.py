"""The refusal both emulated tools share."""

from __future__ import annotations


class ToolError(Exception):
    """A refusal the real tool prints, with its exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code

"""Errors shared by every import and service: a list of (row, field, message), shown to the user as is."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ValidationFailed(Exception):
    """Raised before anything is written, with every problem found in the input."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:20]))

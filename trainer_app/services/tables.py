"""Plain descriptions of list views, shared by every page's lazy table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

Cell = str | int | float | None


@dataclass(frozen=True)
class ColumnInfo:
    key: str
    title: str
    numeric: bool = False


class TableSource(Protocol):
    """What a lazy table needs: the ids in view order, then the cells of the rows it shows."""

    @property
    def columns(self) -> Sequence[ColumnInfo]: ...

    def query_ids(
        self,
        text: str = "",
        sort: str | None = None,
        descending: bool = False,
        filters: Mapping[str, int] | None = None,
    ) -> list[int]: ...

    def row_cells(self, ids: Sequence[int]) -> dict[int, tuple[Cell, ...]]: ...

from __future__ import annotations

from PySide6.QtCore import QPersistentModelIndex, Qt

from tests.helpers import builders as b
from trainer_app.ui.pages.courses import category_chip
from trainer_app.ui.table_model import PAGE_SIZE, LazyTableModel


def test_trainee_model_passes_qt_model_tester(qtmodeltester, context) -> None:
    hub = b.hub(context)
    b.trainee(context, hub.id, "TR-000001", "Łukasz Nowak")
    b.trainee(context, hub.id, "TR-000002", "Zoë Adams")
    model = LazyTableModel(context.trainees)
    model.refresh()
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 2


def test_course_model_with_colour_chips_passes_model_tester(qtmodeltester, context) -> None:
    b.course(context, "GOWN")
    model = LazyTableModel(context.courses, category_chip)
    model.refresh()
    qtmodeltester.check(model, force_py=True)
    category = next(i for i, c in enumerate(model.columns) if c.key == "category")
    assert model.data(model.index(0, category), Qt.ItemDataRole.DecorationRole) is not None


def test_filter_is_accent_insensitive_and_done_in_sql(context) -> None:
    hub = b.hub(context)
    b.trainee(context, hub.id, "TR-000001", "Łukasz Nowak")
    b.trainee(context, hub.id, "TR-000002", "Zoë Adams")
    model = LazyTableModel(context.trainees)
    model.set_query("lukasz")
    assert model.rowCount() == 1
    assert model.data(model.index(0, 0)) == "Łukasz Nowak"
    model.set_query("zoe")
    assert model.data(model.index(0, 0)) == "Zoë Adams"


def test_sort_requeries_and_keeps_persistent_indexes(context) -> None:
    hub = b.hub(context)
    for number, name in enumerate(["Bea", "Abe", "Cal"], start=1):
        b.trainee(context, hub.id, f"TR-{number:06d}", name)
    model = LazyTableModel(context.trainees)
    model.refresh()
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [model.data(model.index(r, 0)) for r in range(3)] == ["Abe", "Bea", "Cal"]
    held = QPersistentModelIndex(model.index(0, 0))  # Abe
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert [model.data(model.index(r, 0)) for r in range(3)] == ["Cal", "Bea", "Abe"]
    assert held.row() == 2


def test_numeric_columns_are_right_aligned(context) -> None:
    hub = b.hub(context)
    b.facility(context, hub.id)
    model = LazyTableModel(context.facilities)
    model.refresh()
    capacity = next(i for i, c in enumerate(model.columns) if c.key == "capacity")
    align = Qt.AlignmentFlag(
        model.data(model.index(0, capacity), Qt.ItemDataRole.TextAlignmentRole)
    )
    assert align & Qt.AlignmentFlag.AlignRight
    assert model.data(model.index(0, capacity)) == "6"


class CountingSource:
    """Wraps a table source and records every batch of cells asked for."""

    def __init__(self, source) -> None:
        self.source = source
        self.batches: list[int] = []
        self.columns = source.columns

    def query_ids(self, *args, **kwargs):
        return self.source.query_ids(*args, **kwargs)

    def row_cells(self, ids):
        self.batches.append(len(ids))
        return self.source.row_cells(ids)


def test_cells_are_fetched_by_page_only_when_shown(context) -> None:
    ids = list(range(1, 1001))
    source = CountingSource(context.trainees)
    source.query_ids = lambda *a, **k: ids  # type: ignore[method-assign]
    model = LazyTableModel(source)
    model.refresh()
    assert model.rowCount() == 1000
    assert source.batches == []
    model.data(model.index(0, 0))
    model.data(model.index(5, 1))
    model.data(model.index(999, 0))
    assert source.batches == [PAGE_SIZE, PAGE_SIZE]

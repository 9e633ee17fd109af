"""Save a screenshot of every page and the main dialogs into docs/screenshots/, as a hub
coordinator sees them on a 1366×768 laptop (the window maximised on that screen).

Usage: python scripts/screenshots.py [--database PATH] [--out DIR]
Without --database (or with a path that does not exist yet) the demo data is built into it.
Look at every image after a UI change.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from trainer_app.config import Settings
from trainer_app.domain.planning import RunStatus
from trainer_app.exports.record import write_record_pdf
from trainer_app.services.context import ServiceContext
from trainer_app.services.demo import build_demo
from trainer_app.ui.app import create_main_window
from trainer_app.ui.certificates.dialogs import IssueDialog
from trainer_app.ui.certificates.page import CertificatesPage
from trainer_app.ui.matrix.page import MatrixPage
from trainer_app.ui.pages.audit import AuditPage
from trainer_app.ui.plan.page import PlanPage
from trainer_app.ui.records import COURSE, TRAINER
from trainer_app.ui.runs.page import RunsPage

ROOT = Path(__file__).resolve().parents[1]
PLAN_SECONDS = 20


LAPTOP = {"name": "laptop", "width": 1366, "height": 768, "logicalDpi": 96}


def laptop_screen(folder: Path) -> QApplication:
    """The application on a 1366×768 screen (the offscreen platform's own is 800×800)."""
    screens = folder / "screens.json"
    screens.write_text(json.dumps({"screens": [LAPTOP]}), encoding="utf-8")
    platform = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    if platform == "offscreen":
        platform = f"offscreen:configfile={screens}"
    return QApplication(["trainer-screenshots", "-platform", platform])


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def plan_screenshots(window: Any, app: QApplication, context: ServiceContext, out: Path) -> None:
    """Plan the demo term's runs (a short solve), then the week by trainer and facility, and the
    term at a glance."""
    index = next(i for i, p in enumerate(window.pages) if isinstance(p, PlanPage))
    window.show_page(index)
    page = window.page
    runs = [r for r in context.runs.list() if r.status is RunStatus.DRAFT]
    if runs:
        starts = [r.earliest for r in runs if r.earliest]
        ends = [r.latest for r in runs if r.latest]
        page.controls.set_dates(min(starts), max(ends))
        page.reload()
        page.controls.time_limit.setValue(PLAN_SECONDS)
        page.controls.plan_button.click()
        while page.worker.running:
            app.processEvents()
            time.sleep(0.05)
        settle(app)
    while page.opener.running:  # a saved plan is read and checked in the background
        app.processEvents()
        time.sleep(0.01)
    settle(app)
    # Show "Where could this go?" for the first session that has somewhere else to go.
    for block in page.timeline.layout_.blocks:
        page.timeline.select(block.assignment.key)
        page.where_could_it_go(None)
        while page.finder.running:  # the free slots are found in the background
            app.processEvents()
            time.sleep(0.01)
        if page.candidates.tree.topLevelItemCount():
            break
    for mode in ("trainer", "facility"):
        page.row_mode.setCurrentIndex(page.row_mode.findData(mode))
        settle(app)
        window.grab().save(str(out / f"plan-{mode}.png"))
    page.row_mode.setCurrentIndex(page.row_mode.findData("trainer"))
    page.timeline.select(None)  # the term from its first row
    page.set_view("term")
    settle(app)
    window.grab().save(str(out / "plan-term.png"))
    page.set_view("week")


def runs_screenshots(window: Any, app: QApplication, out: Path) -> None:
    """A run coming up (roster with its waitlist), a run held (the attendance register and the
    results), and enrolling on the run still open."""
    index = next(i for i, p in enumerate(window.pages) if isinstance(p, RunsPage))
    window.show_page(index)
    page = window.page
    for code, tab, name in (
        ("GOWN-2026-04", 0, "runs-roster"),
        ("GOWN-2026-01", 1, "runs-register"),
        ("GOWN-2026-01", 2, "runs-results"),
    ):
        if page.runs.select_code(code):
            page.tabs.setCurrentIndex(tab)
            if tab == 1:
                page.register_tab.view.setCurrentIndex(page.register_tab.model.index(0, 1))
            if tab == 2:
                page.results_tab.view.selectRow(0)
            settle(app)
            window.grab().save(str(out / f"{name}.png"))
    if page.runs.select_code("ASEP-2026-02"):
        page.tabs.setCurrentIndex(0)
        page.enrol_trainees()
        dialog = page.dialog
        if dialog is not None:
            search = dialog.findChild(QLineEdit)
            if search is not None:
                search.setText("an")
            wait_for(app, lambda: False, seconds=1.0)
            dialog.grab().save(str(out / "runs-enrol.png"))
            dialog.reject()
            settle(app)


def dialog_screenshots(window: Any, app: QApplication, context: ServiceContext, out: Path) -> None:
    """The record dialogs a coordinator fills in, and an import with its problems listed."""
    for page_index, kind, row, name in ((1, TRAINER, 1, "trainer"), (2, COURSE, 2, "course")):
        window.show_page(page_index)
        table = window.page.tables[0]
        table.select_row(row)
        record_id = table.selected_id()
        dialog = window.editor.edit(kind, record_id) if record_id is not None else None
        if dialog is not None:
            settle(app)
            dialog.grab().save(str(out / f"{name}-dialog.png"))
            dialog.reject()
    broken = Path(tempfile.mkdtemp(prefix="trainer-import-")) / "new-starters.csv"
    broken.write_text(
        "name,reference,hub,cohorts,email\n"
        "Siobhán Ní Bhriain,TR-900001,LON,ATAC apprentices Spring 2027,siobhan@example.ac.uk\n"
        "李伟,TR-900002,MAN,,\n"
        "Łukasz Nowak,TR-900003,LON,ATAC apprentice Spring 2027,siobhan@example.ac.uk\n",
        encoding="utf-8",
    )
    importing = window.import_file()
    importing.check(broken)
    wait_for(app, lambda: not importing.runner.running)
    importing.grab().save(str(out / "import-problems.png"))
    importing.reject()
    settle(app)
    shutil.rmtree(broken.parent)


def backup_screenshots(window: Any, app: QApplication, scratch: Path, out: Path) -> None:
    """File ▸ Back up database… after a backup, and Restore from backup… with it checked."""
    target = scratch / "hub-backup.db"
    dialog = window.back_up()
    dialog.path.setText(str(target))
    dialog.start()
    wait_for(app, lambda: not dialog.task.running)
    dialog.grab().save(str(out / "backup.png"))
    dialog.reject()
    restoring = window.restore_backup()
    restoring.path.setText(str(target))
    restoring.check()
    wait_for(app, lambda: not restoring.checker.running)
    restoring.grab().save(str(out / "restore.png"))
    restoring.reject()
    settle(app)


def access_screenshots(window: Any, app: QApplication, context: ServiceContext, out: Path) -> None:
    """The sign-in dialog as the demo starts, File ▸ Users… and the locked window."""
    from trainer_app.ui.sign_in import DEMO_HINT, SignInDialog

    dialog = SignInDialog(context, hint=DEMO_HINT)
    dialog.show()
    dialog.username.setText("coordinator")
    dialog.password.setText("not the password")
    dialog.submit()  # what a mistyped password looks like
    dialog.password.setText("gmp-demo-2026")
    settle(app)
    dialog.grab().save(str(out / "sign-in.png"))
    dialog.reject()
    users = window.manage_users()
    users.table.selectRow(2)
    settle(app)
    users.grab().save(str(out / "users.png"))
    account = users.edit_account()
    settle(app)
    account.grab().save(str(out / "user-edit.png"))
    account.reject()
    users.reject()
    sign_screenshot(window, app, out)
    lock = window.lock("Locked after 15 minutes without input.")
    settle(app)
    window.grab().save(str(out / "locked.png"))
    lock.grab().save(str(out / "lock.png"))
    lock.password.setText("gmp-demo-2026")
    lock.submit()
    settle(app)


def sign_screenshot(window: Any, app: QApplication, out: Path) -> None:
    """Sign… on a trainee's record: the dialog with what is signed, then the record."""
    matrix = next(page for page in window.pages if page.key == "records")
    window.show_page(window.pages.index(matrix))
    context = window.context
    trainee = next(t for t in context.trainees.list() if context.signatures.records_of(t.id))
    matrix.open_trainee(trainee.id)
    wait_for(
        app, lambda: matrix.record is not None and matrix.record.reference == trainee.reference
    )
    dialog = matrix.sign_record()
    dialog.meaning.setCurrentIndex(1)
    dialog.password.setText("gmp-demo-2026")
    settle(app)
    dialog.grab().save(str(out / "sign.png"))
    dialog.submit()
    wait_for(app, lambda: "Signatures" in matrix.record_panel.browser.toPlainText())
    settle(app)
    window.grab().save(str(out / "record-signed.png"))


def wait_for(app: QApplication, done: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    settle(app)


def records_screenshots(window: Any, app: QApplication, context: ServiceContext, out: Path) -> None:
    """The heatmap, the refresher list, a trainee's record, and page 1 of its PDF rendered."""
    index = next(i for i, p in enumerate(window.pages) if isinstance(p, MatrixPage))
    window.show_page(index)
    page = window.page
    shown: list[str] = []
    page.matrix_shown.connect(lambda: shown.append("matrix"))
    page.due_shown.connect(lambda: shown.append("due"))
    page.record_shown.connect(lambda: shown.append("record"))
    page.reload()
    wait_for(app, lambda: "matrix" in shown)
    window.grab().save(str(out / "matrix-heatmap.png"))
    page.tabs.setCurrentIndex(1)
    wait_for(app, lambda: "due" in shown)
    window.grab().save(str(out / "matrix-refresher.png"))
    trainee = next(
        e.trainee_id
        for run in context.runs.list()
        if run.code == "ASEP-2026-01"
        for e in context.enrolment.roster(run.id)
    )
    page.open_trainee(trainee)
    wait_for(app, lambda: "record" in shown)
    window.grab().save(str(out / "matrix-record.png"))
    pdf = out.parent / "record-sample.pdf"
    write_record_pdf(context.matrix.training_record(trainee), pdf)
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", str(pdf), str(out / "record-page")],
        check=True,
    )
    pdf.unlink()
    roles_impact_screenshot(page, app, context, out)


def roles_impact_screenshot(
    page: Any, app: QApplication, context: ServiceContext, out: Path
) -> None:
    """The Roles dialog about to add CAPA for QC analysts in a month, with who that affects."""
    dialog = page.edit_roles()
    row = next(i for i, r in enumerate(dialog.all_roles) if r.name == "QC analyst")
    dialog.roles.setCurrentRow(row)
    course = next(i for i, c in enumerate(dialog.courses) if c.code == "CAPA")
    dialog.grid.item(course, 0).setCheckState(Qt.CheckState.Checked)
    dialog.grid.scrollToItem(dialog.grid.item(course, 0))
    dialog.effective.setText((context.today() + timedelta(days=30)).isoformat())
    settle(app)
    dialog.grab().save(str(out / "roles-impact.png"))
    dialog.reject()
    settle(app)


def certificates_screenshots(window: Any, app: QApplication, out: Path) -> None:
    """The register as the demo has it (its newest: a reissue), then the preview before issuing
    the waiting ones, then the dialog once they are issued."""
    index = next(i for i, p in enumerate(window.pages) if isinstance(p, CertificatesPage))
    window.show_page(index)
    page = window.page
    settle(app)
    page.view.selectRow(0)
    wait_for(app, lambda: page.picture.image is not None and not page.picture.busy)
    window.grab().save(str(out / "certificates.png"))
    page.issue_waiting()
    dialog = page.dialog
    assert isinstance(dialog, IssueDialog)
    for row in range(min(6, dialog.list.topLevelItemCount())):  # nothing is ticked at first
        item = dialog.list.topLevelItem(row)
        if item is not None:
            item.setCheckState(0, Qt.CheckState.Checked)
    dialog.list.setCurrentItem(
        dialog.list.topLevelItem(min(3, dialog.list.topLevelItemCount() - 1))
    )
    wait_for(app, lambda: dialog.picture.image is not None and not dialog.picture.busy)
    dialog.grab().save(str(out / "certificates-issue.png"))
    folder = Path(tempfile.mkdtemp(prefix="trainer-certificates-"))
    dialog.ask_folder = lambda: folder  # type: ignore[method-assign]
    dialog.issue()
    wait_for(app, lambda: not dialog.task.running, seconds=120)
    dialog.grab().save(str(out / "certificates-issued.png"))
    dialog.reject()
    settle(app)
    shutil.rmtree(folder)


def refresh_screenshot(window: Any, app: QApplication, settings: Settings, out: Path) -> None:
    """The Trainers page after a coordinator elsewhere changed two trainers' notes and F5 was
    pressed: the status bar says who changed what; the selected row stays selected."""
    from dataclasses import replace

    trainers = next(page for page in window.pages if page.key == "trainers")
    window.show_page(window.pages.index(trainers))
    table = trainers.tables[0]
    with ServiceContext.open(settings, create=False) as elsewhere:
        other = elsewhere.signed_in(elsewhere.users.sign_in("coordinator", "gmp-demo-2026"))
        theirs = [t for t in other.trainers.list() if t.hub_id in other.actor.hubs][:2]
        table.select_id(theirs[0].id)  # its details show the new notes once refreshed
        settle(app)
        for trainer in theirs:
            other.trainers.update(
                trainer.id, trainer.row_version, replace(trainer, notes="On site Tuesdays")
            )
    window.refresh()
    settle(app)
    window.grab().save(str(out / "refresh.png"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="trainer-screens-"))
    app = laptop_screen(scratch)
    database = args.database or scratch / "demo.db"
    settings = Settings.resolve(database, environ={"TRAINER_APP_DATA_DIR": str(scratch)})
    fresh = not database.exists()
    args.out.mkdir(parents=True, exist_ok=True)
    with ServiceContext.open(settings) as context:
        if fresh:
            build_demo(context)
        admin = context.signed_in(context.users.sign_in("admin", "gmp-demo-2026"))
        window = create_main_window(admin)
        window.show()  # maximised on the laptop screen, as on a first start
        settle(app)
        for index, page in enumerate(window.pages):
            if not page.tables:  # the pages with their own views come below
                continue
            window.show_page(index)
            page.tables[0].select_row(1 if len(page.tables) == 1 else 0)
            if len(page.tables) > 1:
                page.tables[1].select_row(0)
            settle(app)
            if isinstance(page, AuditPage):  # the seals are checked in the background
                wait_for(app, lambda checker=page.checker: not checker.running)
            window.grab().save(str(args.out / f"{page.key}.png"))
        plan_screenshots(window, app, context, args.out)
        runs_screenshots(window, app, args.out)
        records_screenshots(window, app, context, args.out)
        certificates_screenshots(window, app, args.out)
        dialog_screenshots(window, app, context, args.out)
        backup_screenshots(window, app, scratch, args.out)
        access_screenshots(window, app, context, args.out)
        refresh_screenshot(window, app, settings, args.out)
        window.close()
    print(f"Screenshots saved in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Electronic signatures through the services: the password again, a meaning, the signer's
name and time; bound to the record, so a later change, a copy onto another record or an edit
in the database file shows the signature as not valid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.integration.test_access import PASSWORD, Team, team
from tests.integration.test_enrolment import MONDAY, asep_elsewhere, publish_run, world
from trainer_app.domain.access import NotPermitted
from trainer_app.domain.errors import DomainError, ValidationError
from trainer_app.domain.records import AssessmentFields
from trainer_app.domain.signatures import Meaning, SignedKind, Validity
from trainer_app.services.users import SignInRefused

# Only the tests where the store matters run on both stores (both_stores below): the rest
# check permissions, the same on either, and each makes five accounts (argon2: seconds).

__all__ = ["team", "world"]


@pytest.mark.both_stores
def test_a_signature_names_who_what_and_when_and_is_audited(team: Team) -> None:
    completion = asep_elsewhere(team.w, team.w.people[0])
    signed = team.coordinator.signatures.sign(
        SignedKind.COMPLETION, completion.id, Meaning.APPROVED, PASSWORD
    )
    assert signed.valid
    line = signed.manifest()
    assert line.startswith("Approved by Hannah Price (coord), ") and line.endswith("— valid")
    assert "UTC" in line
    (shown,) = team.auditor.signatures.of(SignedKind.COMPLETION, completion.id)
    assert shown.validity is Validity.VALID and shown.facts.full_name == "Hannah Price"
    actor, action, entity, _ = team.audit_rows()[-1]
    assert (actor, action, entity) == ("coord", "create", "signature")


def test_signing_needs_the_password_again(team: Team) -> None:
    completion = asep_elsewhere(team.w, team.w.people[0])
    with pytest.raises(SignInRefused, match="password is wrong"):
        team.coordinator.signatures.sign(
            SignedKind.COMPLETION, completion.id, Meaning.APPROVED, "not my password"
        )
    assert team.w.ctx.signatures.of(SignedKind.COMPLETION, completion.id) == []
    assert team.audit_rows()[-1][1] == "sign_in_refused"


@pytest.mark.both_stores
def test_a_record_changed_after_signing_shows_the_signature_no_longer_valid(team: Team) -> None:
    completion = asep_elsewhere(team.w, team.w.people[0])
    team.admin.signatures.sign(SignedKind.COMPLETION, completion.id, Meaning.REVIEWED, PASSWORD)
    team.w.ctx.training.revoke_completion(completion.id, "certificate was a forgery")
    (after,) = team.w.ctx.signatures.of(SignedKind.COMPLETION, completion.id)
    assert after.validity is Validity.CHANGED
    assert "NO LONGER VALID: the record changed after it was signed" in after.manifest()


@pytest.mark.both_stores
def test_a_signature_copied_onto_another_record_or_edited_in_the_file_is_not_valid(
    team: Team,
) -> None:
    first = asep_elsewhere(team.w, team.w.people[0])
    second = asep_elsewhere(team.w, team.w.people[1])
    team.admin.signatures.sign(SignedKind.COMPLETION, first.id, Meaning.APPROVED, PASSWORD)
    with team.w.ctx.store.engine.begin() as connection:
        # Copied: the same signature, pointed at the other record (inserts are not guarded).
        connection.execute(
            text(
                "INSERT INTO signatures (kind, record_id, meaning, username, full_name, "
                "signed_at, digest, key_id, seal) SELECT kind, :second, meaning, username, "
                "full_name, signed_at, digest, key_id, seal FROM signatures "
                "WHERE record_id = :first"
            ),
            {"second": second.id, "first": first.id},
        )
        # Edited: the triggers dropped, the signer's name changed.
        on = " ON signatures" if connection.dialect.name == "postgresql" else ""
        connection.execute(text(f"DROP TRIGGER signatures_no_update{on}"))
        connection.execute(
            text("UPDATE signatures SET full_name = 'Someone Else' WHERE record_id = :first"),
            {"first": first.id},
        )
    (copied,) = team.w.ctx.signatures.of(SignedKind.COMPLETION, second.id)
    (edited,) = team.w.ctx.signatures.of(SignedKind.COMPLETION, first.id)
    assert copied.validity is Validity.TAMPERED
    assert edited.validity is Validity.TAMPERED
    assert "NOT VALID" in edited.manifest()
    assert any("signatures_no_update" in problem for problem in team.w.ctx.check())


def test_who_may_sign_what(team: Team) -> None:
    w = team.w
    completion = asep_elsewhere(w, w.people[0])
    with pytest.raises(NotPermitted, match="auditors read and export everything"):
        team.auditor.signatures.sign(
            SignedKind.COMPLETION, completion.id, Meaning.APPROVED, PASSWORD
        )
    with pytest.raises(ValidationError, match="means reviewed, approved, not performed"):
        team.admin.signatures.sign(
            SignedKind.COMPLETION, completion.id, Meaning.PERFORMED, PASSWORD
        )
    # A trainer signs an assessment they performed on a run they teach; no other trainer may.
    run = publish_run(w, "GOWN-2027-01", w.gown, [(1, 0)], trainer_index=0)
    (enrolment,) = w.ctx.enrolment.enrol_many(run.id, [w.people[2]])
    w.clock.day = MONDAY + timedelta(days=1)
    assessment = w.ctx.training.record_assessment(
        AssessmentFields(
            enrolment_id=enrolment.id,
            assessed_on=MONDAY + timedelta(days=1),
            assessor="Dr Amara Okafor",
            practical_passed=True,
        )
    )
    with pytest.raises(NotPermitted, match="only for the runs they teach"):
        team.other_trainer.signatures.sign(
            SignedKind.ASSESSMENT, assessment, Meaning.PERFORMED, PASSWORD
        )
    signed = team.trainer.signatures.sign(
        SignedKind.ASSESSMENT, assessment, Meaning.PERFORMED, PASSWORD
    )
    assert signed.valid
    with pytest.raises(DomainError, match="already signed this assessment"):
        team.trainer.signatures.sign(SignedKind.ASSESSMENT, assessment, Meaning.PERFORMED, PASSWORD)


def test_a_store_without_accounts_cannot_sign(team: Team) -> None:
    completion = asep_elsewhere(team.w, team.w.people[0])
    with pytest.raises(DomainError, match="Signatures need a user account"):
        team.w.ctx.signatures.sign(SignedKind.COMPLETION, completion.id, Meaning.APPROVED, PASSWORD)


def test_the_training_record_shows_and_prints_the_signature_manifest(team: Team, tmp_path) -> None:
    import csv

    import openpyxl
    from pypdf import PdfReader

    from trainer_app.exports.record import write_record_csv, write_record_pdf, write_record_xlsx

    w = team.w
    completion = asep_elsewhere(w, w.people[0])
    team.coordinator.signatures.sign(
        SignedKind.COMPLETION, completion.id, Meaning.APPROVED, PASSWORD
    )
    record = w.ctx.matrix.training_record(w.people[0])
    (line,) = record.signatures
    assert line.subject == "Completion of ASEP 1.0" and line.signature.valid
    pdf, sheet, book = tmp_path / "r.pdf", tmp_path / "r.csv", tmp_path / "r.xlsx"
    write_record_pdf(record, pdf)
    # pypdf splits some shaped words ("Vali d"): compare without spaces.
    text = "".join("".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "Signatures" in text and "ApprovedbyHannahPrice(coord)" in text
    assert "ASEP1.0ApprovedbyHannahPrice(coord)" in text and "UTCValid" in text
    # Changed after signing: every form of the record says so.
    w.ctx.training.revoke_completion(completion.id, "entered against the wrong trainee")
    record = w.ctx.matrix.training_record(w.people[0])
    write_record_csv(record, sheet)
    write_record_xlsx(record, book)
    with sheet.open(encoding="utf-8-sig") as stream:
        lines = list(csv.reader(stream))
    signed = [row for row in lines if row and row[0] == "Completion of ASEP 1.0"]
    assert signed and "NO LONGER VALID" in signed[0][6]
    workbook = openpyxl.load_workbook(book, read_only=True)
    rows = list(workbook["Signatures"].iter_rows(values_only=True))
    assert rows[0][0] == "Record" and "NO LONGER VALID" in str(rows[1][6])
    workbook.close()
    write_record_pdf(record, pdf)
    text = "".join("".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "NOLONGERVALID:therecordchangedafteritwassigned" in text


def test_the_record_carries_the_audit_history_of_the_trainees_own_records(
    team: Team, tmp_path
) -> None:
    from pypdf import PdfReader

    from trainer_app.exports.record import write_record_pdf

    w = team.w
    completion = asep_elsewhere(w, w.people[0])
    asep_elsewhere(w, w.people[1])  # someone else's: not in this record
    team.coordinator.signatures.sign(
        SignedKind.COMPLETION, completion.id, Meaning.APPROVED, PASSWORD
    )
    record = w.ctx.matrix.training_record(w.people[0])
    kinds = [(line.action, line.record_type) for line in record.audit]
    assert kinds == [("Created", "Trainee"), ("Created", "Completion"), ("Created", "Signature")]
    assert all("李伟" not in line.record for line in record.audit)
    assert record.audit[-1].who == "coord"
    pdf = tmp_path / "r.pdf"
    write_record_pdf(record, pdf)
    text = "".join("".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "Audithistory" in text and "3entriesaboutthistrainee" in text

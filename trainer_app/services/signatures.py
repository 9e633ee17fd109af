"""Signing records electronically (21 CFR 11.50, 11.70, 11.200; Annex 11 §14) and showing
whether each signature still holds.

To sign, the signed-in person types their password again (checked like a sign-in, with the
same lockout) and chooses what the signature means. The signature stores a digest of the
record as it is then and is sealed with the installation's audit key (``domain.signatures``);
signing is audited. A record changed afterwards shows its signatures as no longer valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from trainer_app.domain import dates
from trainer_app.domain.access import LOCAL_ACTOR, Act, Actor
from trainer_app.domain.audit import AuditAction, RecordType
from trainer_app.domain.errors import DomainError, NotFound, ValidationError
from trainer_app.domain.signatures import (
    MEANINGS,
    Meaning,
    Signature,
    SignatureFacts,
    SignedKind,
    content_digest,
    judge,
)
from trainer_app.persistence.db import Store
from trainer_app.persistence.models import (
    AssessmentRow,
    CertificateRow,
    CompletionRow,
    CourseRow,
    CourseRunRow,
    EnrolmentRow,
    SignatureRow,
    TraineeRow,
)
from trainer_app.persistence.uow import reading, transaction
from trainer_app.services.base import Now, format_value, now_utc, write_audit
from trainer_app.services.enrolment import run_scope
from trainer_app.services.users import UserService

Facts = dict[str, str | None]


@dataclass(frozen=True)
class Signable:
    """A record as it is signed: its kind and id, a label in words, and its facts."""

    kind: SignedKind
    record_id: int
    label: str
    facts: Mapping[str, str | None]
    hubs: tuple[int | None, ...]
    trainers: tuple[int | None, ...] = ()

    @property
    def digest(self) -> str:
        return content_digest(self.kind, self.record_id, self.facts)


class SignatureService:
    def __init__(self, store: Store, actor: Actor, now: Now = now_utc) -> None:
        self.store = store
        self.actor = actor
        self.now = now

    def signable(self, kind: SignedKind, record_id: int) -> Signable:
        with reading(self.store) as session:
            return _signable(session, kind, record_id)

    def sign(self, kind: SignedKind, record_id: int, meaning: Meaning, password: str) -> Signature:
        """Sign the record as it is now, meaning ``meaning``, after the signer's password is
        given again. Refused in words (nothing signed) when the password is wrong, the
        meaning does not apply, the role may not, or the same person already signed the same
        content with the same meaning."""
        if self.actor.username == LOCAL_ACTOR.username:
            raise DomainError(
                "Signatures need a user account: this database has none yet. Nothing was signed"
            )
        if meaning not in MEANINGS[kind]:
            allowed = ", ".join(m.value for m in MEANINGS[kind])
            raise ValidationError.single(
                "meaning", f"A signature on a {kind.label} means {allowed}, not {meaning.value}"
            )
        UserService(self.store, self.actor, self.now).confirm(password)
        chain = self.store.chain
        if chain is None:
            raise DomainError("This store was opened without its key; nothing was signed")
        with transaction(self.store) as session:
            record = _signable(session, kind, record_id)
            act = Act.ISSUE_CERTIFICATES if kind is SignedKind.CERTIFICATE else Act.RECORD_TRAINING
            self.actor.require(
                act,
                hubs=record.hubs,
                trainers=record.trainers,
                what=f"sign the {record.label}",
            )
            digest = record.digest
            again = session.scalars(
                select(SignatureRow.id).where(
                    SignatureRow.kind == kind.value,
                    SignatureRow.record_id == record_id,
                    SignatureRow.meaning == meaning.value,
                    SignatureRow.username == self.actor.username,
                    SignatureRow.digest == digest,
                )
            ).first()
            if again is not None:
                raise DomainError(
                    f"You have already signed this {kind.label} as {meaning.label.lower()} "
                    "it is now. Nothing was signed"
                )
            facts = SignatureFacts(
                kind,
                record_id,
                meaning,
                self.actor.username,
                self.actor.display_name or self.actor.username,
                self.now(),
                digest,
            )
            row = SignatureRow(
                kind=kind.value,
                record_id=record_id,
                meaning=meaning.value,
                username=facts.username,
                full_name=facts.full_name,
                signed_at=facts.signed_at,
                digest=digest,
                key_id=chain.key.key_id,
                seal=facts.seal(chain.key.secret),
            )
            session.add(row)
            session.flush()
            write_audit(
                session,
                self.actor,
                AuditAction.CREATE,
                RecordType.SIGNATURE,
                row.id,
                f"{meaning.label} {facts.full_name}: {record.label}",
                [
                    ("meaning", None, meaning.value),
                    ("record", None, f"{kind.value} {record_id}"),
                    ("digest", None, digest),
                ],
                at=facts.signed_at,
            )
            return Signature(row.id, facts, judge(facts, row.seal, chain.key.secret, digest))

    def records_of(self, trainee_id: int) -> list[Signable]:
        """What of a trainee's can be signed: completions that stand, assessments, and
        certificates not revoked; newest first."""
        with reading(self.store) as session:
            found: list[tuple[date, Signable]] = []
            for completion_id, completed_on in session.execute(
                select(CompletionRow.id, CompletionRow.completed_on).where(
                    CompletionRow.trainee_id == trainee_id, CompletionRow.revoked_at.is_(None)
                )
            ):
                found.append((completed_on, _completion(session, completion_id)))
            for assessment_id, assessed_on in session.execute(
                select(AssessmentRow.id, AssessmentRow.assessed_on)
                .join(EnrolmentRow, EnrolmentRow.id == AssessmentRow.enrolment_id)
                .where(EnrolmentRow.trainee_id == trainee_id)
            ):
                found.append((assessed_on, _assessment(session, assessment_id)))
            for certificate_id, issued_at in session.execute(
                select(CertificateRow.id, CertificateRow.issued_at).where(
                    CertificateRow.trainee_id == trainee_id, CertificateRow.revoked_at.is_(None)
                )
            ):
                found.append((issued_at.date(), _certificate(session, certificate_id)))
        found.sort(key=lambda pair: (pair[0], pair[1].kind.value), reverse=True)
        return [signable for _, signable in found]

    def of(self, kind: SignedKind, record_id: int) -> list[Signature]:
        """The record's signatures, oldest first, each judged against the record now."""
        return self.of_many(kind, [record_id]).get(record_id, [])

    def of_many(self, kind: SignedKind, record_ids: Iterable[int]) -> dict[int, list[Signature]]:
        ids = list(record_ids)
        with reading(self.store) as session:
            return signatures_of(session, self.store, kind, ids)


def signatures_of(
    session: Session, store: Store, kind: SignedKind, record_ids: Sequence[int]
) -> dict[int, list[Signature]]:
    """The signatures of these records (by id), judged: for services that show records."""
    if not record_ids:
        return {}
    rows = session.scalars(
        select(SignatureRow)
        .where(SignatureRow.kind == kind.value, SignatureRow.record_id.in_(list(record_ids)))
        .order_by(SignatureRow.signed_at, SignatureRow.id)
    ).all()
    keys = store.chain.keys if store.chain is not None else {}
    digests: dict[int, str] = {}
    out: dict[int, list[Signature]] = {}
    for row in rows:
        if row.record_id not in digests:
            try:
                digests[row.record_id] = _signable(session, kind, row.record_id).digest
            except NotFound:
                digests[row.record_id] = ""
        facts = SignatureFacts(
            kind,
            row.record_id,
            Meaning(row.meaning),
            row.username,
            row.full_name,
            row.signed_at,
            row.digest,
        )
        key = keys.get(row.key_id)
        validity = judge(facts, row.seal, key.secret if key else None, digests[row.record_id])
        out.setdefault(row.record_id, []).append(Signature(row.id, facts, validity))
    return out


def _signable(session: Session, kind: SignedKind, record_id: int) -> Signable:
    if kind is SignedKind.ASSESSMENT:
        return _assessment(session, record_id)
    if kind is SignedKind.COMPLETION:
        return _completion(session, record_id)
    return _certificate(session, record_id)


def _assessment(session: Session, record_id: int) -> Signable:
    row = session.get(AssessmentRow, record_id)
    if row is None:
        raise NotFound(f"Assessment {record_id} no longer exists")
    enrolment = session.get_one(EnrolmentRow, row.enrolment_id)
    run = session.get_one(CourseRunRow, enrolment.run_id)
    trainee = session.get_one(TraineeRow, enrolment.trainee_id)
    hubs, trainers = run_scope(session, run)
    facts: Facts = {
        "trainee": f"{trainee.reference} {trainee.name}",
        "run": run.code,
        "assessed_on": row.assessed_on.isoformat(),
        "assessor": row.assessor,
        "theory_score": format_value(row.theory_score),
        "practical_passed": format_value(row.practical_passed),
        "comments": row.comments,
    }
    return Signable(
        SignedKind.ASSESSMENT,
        record_id,
        f"assessment of {trainee.name} on {run.code} ({dates.day(row.assessed_on)})",
        facts,
        tuple(hubs),
        tuple(trainers),
    )


def _completion(session: Session, record_id: int) -> Signable:
    row = session.get(CompletionRow, record_id)
    if row is None:
        raise NotFound(f"Completion {record_id} no longer exists")
    trainee = session.get_one(TraineeRow, row.trainee_id)
    course = session.get_one(CourseRow, row.course_id)
    facts: Facts = {
        "trainee": f"{trainee.reference} {trainee.name}",
        "course": f"{course.code} {row.course_version}",
        "completed_on": row.completed_on.isoformat(),
        "expires_on": format_value(row.expires_on),
        "source": row.source,
        "enrolment": format_value(row.enrolment_id),
        "provider": row.provider,
        "verified_by": row.verified_by,
        "revoked_at": format_value(row.revoked_at),
    }
    return Signable(
        SignedKind.COMPLETION,
        record_id,
        f"completion of {course.code} {row.course_version} by {trainee.name} "
        f"({dates.day(row.completed_on)})",
        facts,
        (trainee.hub_id,),
    )


def _certificate(session: Session, record_id: int) -> Signable:
    row = session.get(CertificateRow, record_id)
    if row is None:
        raise NotFound(f"Certificate {record_id} no longer exists")
    trainee = session.get_one(TraineeRow, row.trainee_id)
    facts: Facts = {
        "number": row.number,
        "trainee": f"{trainee.reference} {trainee.name}",
        "payload": row.payload,
        "issued_at": format_value(row.issued_at),
        "revoked_at": format_value(row.revoked_at),
    }
    return Signable(
        SignedKind.CERTIFICATE,
        record_id,
        f"certificate {row.number} of {trainee.name}",
        facts,
        (row.hub_id,),
    )

"""Issuing certificates for recorded completions, the register, revocation, reissue, and
verification against the store.

A certificate is issued only for a completion that stands (not revoked); issuing again for the
same completion returns the certificate already issued. Numbers run per hub and year. The
signed payload and everything printed are stored, so a reprint is identical. Revoking keeps the
row (with the reason); reissuing revokes the old one and issues a new number that says which
certificate it replaces. Every issue, revocation and reissue is audited.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from trainer_app.certificates import keys
from trainer_app.certificates.branding import branding
from trainer_app.certificates.files import process_running
from trainer_app.certificates.verify import FileVerdict
from trainer_app.domain.access import Act
from trainer_app.domain.audit import Actor, AuditAction, RecordType
from trainer_app.domain.certificates import (
    Certificate,
    CertificateContent,
    CertificateFacts,
    Verdict,
    Waiting,
    certificate_number,
    payload,
    split_payload,
)
from trainer_app.domain.errors import DomainError, NotFound, ValidationError
from trainer_app.domain.records import CompletionSource, IssuedCertificate
from trainer_app.domain.text import clean_text, search_key
from trainer_app.exports.wording import number
from trainer_app.persistence.db import Store
from trainer_app.persistence.models import (
    AssessmentRow,
    CertificateRow,
    CompletionRow,
    CourseRow,
    EnrolmentRow,
    HubRow,
    PlannedSessionRow,
    TraineeRow,
    TrainerRow,
)
from trainer_app.persistence.uow import reading, transaction
from trainer_app.services.base import add_audited, now_utc, write_audit

_LIVE = select(CertificateRow.completion_id).where(CertificateRow.revoked_at.is_(None))
DRAFT_KEY = "preview"  # the key a draft's facts name: no verifier knows it
DRAFT = bytes(64)  # a draft's "signature": as long as a real one, so the QR code is the same size


@dataclass(frozen=True)
class KeyReady:
    """The signing key a command will use: its fingerprint, where it is kept, and whether it
    was just created (the first set-up: back it up)."""

    fingerprint: str
    folder: Path
    created: bool

    @property
    def news(self) -> str:
        """What to tell the user when the key was just created ("" otherwise)."""
        if not self.created:
            return ""
        return (
            f"A new certificate signing key ({self.fingerprint}) was created in {self.folder}: "
            "back it up with the database. Without it no further certificate can be signed"
        )


@dataclass(frozen=True)
class BatchOutcome:
    """What a batch did: certificates issued now, files written (with those of an earlier,
    interrupted batch that had none), the combined file, and the key news."""

    issued: int
    resumed: int  # certificates issued earlier whose files were missing, written now
    paths: tuple[Path, ...]
    combined: Path | None
    stopped: bool
    key: KeyReady | None  # None when there was nothing to issue or write
    leftovers_removed: int = 0


class CertificateService:
    def __init__(
        self,
        store: Store,
        actor: Actor,
        key_folder: Path,
        today: Callable[[], date] = date.today,
        now: Callable[[], datetime] = now_utc,
    ) -> None:
        """``today`` is the issue date printed; ``now`` stamps the register (issued, revoked).
        Both move together only when the past is recorded (the demo's history)."""
        self.store, self.actor, self.key_folder = store, actor, key_folder
        self.today, self.now = today, now

    # ----- the key -----------------------------------------------------------------------
    def signing_key(self) -> keys.SigningKey:
        """The key that signs new certificates; refused in words when it is missing (never
        replaced by a new one: see `prepare_key`)."""
        return keys.load_current(self.key_folder)

    def prepare_key(self) -> KeyReady:
        """The key to issue with. On a store that has never issued a certificate, in a data
        folder without any key, this is the first set-up: the key is created (and ``created``
        says so). Otherwise a missing or unreadable key is refused with what to do."""
        if keys.state(self.key_folder).empty and not self._ever_issued():
            try:
                key = keys.create_first(self.key_folder)
            except DomainError:
                if keys.state(self.key_folder).empty:
                    raise
                # another batch made it a moment ago: use that one
                return KeyReady(self.signing_key().fingerprint, self.key_folder, created=False)
            return KeyReady(key.fingerprint, self.key_folder, created=True)
        return KeyReady(self.signing_key().fingerprint, self.key_folder, created=False)

    def init_key(self) -> KeyReady:
        """Create this installation's signing key (``trainer-app certificate init-key``);
        refused when there is one already."""
        self.actor.require(Act.MANAGE_KEYS)
        key = keys.create_first(self.key_folder)
        return KeyReady(key.fingerprint, self.key_folder, created=True)

    def rotate_key(self) -> tuple[str | None, KeyReady]:
        """Retire the current key (its public key stays, so certificates it signed still
        verify) and make a new one that signs from now on."""
        self.actor.require(Act.MANAGE_KEYS)
        retired, key = keys.rotate(self.key_folder)
        return retired, KeyReady(key.fingerprint, self.key_folder, created=True)

    def public_keys(self) -> list[Any]:
        """Every public key of this installation (current and retired), read from the public
        key files: verifying never needs a private key."""
        return keys.installation_keys(self.key_folder)

    def public_key_pem(self) -> tuple[str, bytes]:
        """The current key's fingerprint and public key file (to hand to verifiers)."""
        path = self.key_folder / keys.PUBLIC_NAME
        if path.exists():
            public = keys.load_public(path)
            return keys.fingerprint(public), keys.public_pem(public)
        key = self.signing_key()
        return key.fingerprint, key.public_pem()

    def signer_certificate_pem(self) -> bytes:
        """The X.509 certificate of the current key that signs the PDF files (to trust in a
        PDF reader or pyhanko)."""
        from trainer_app.certificates.signing import signer_certificate_pem

        return signer_certificate_pem(self.signing_key())

    def _ever_issued(self) -> bool:
        with reading(self.store) as session:
            return session.scalar(select(func.count()).select_from(CertificateRow)) != 0

    def _issuing_key(self) -> keys.SigningKey:
        self.prepare_key()
        return self.signing_key()

    # ----- issuing -----------------------------------------------------------------------
    def eligible(self, *, run_id: int | None = None, trainee_id: int | None = None) -> list[int]:
        """The completions `waiting` lists, by id."""
        return [w.completion_id for w in self.waiting(run_id=run_id, trainee_id=trainee_id)]

    def waiting(self, *, run_id: int | None = None, trainee_id: int | None = None) -> list[Waiting]:
        """Completions without a live certificate, oldest first, with who, what and when.

        A certificate is only for training the hubs delivered: never for one held elsewhere
        (its certificate is the provider's). For a trainee, every other completion that stands
        is listed, history imported from older records and lapsed ones included (a lost
        certificate can be issued again). For a run, or for everyone, only completions earned
        on a run here and still valid: history brought in from spreadsheets had its paper
        certificates, and a certificate for training that has lapsed helps nobody.
        """
        with reading(self.store) as session:
            statement = (
                select(
                    CompletionRow.id,
                    TraineeRow.name,
                    TraineeRow.reference,
                    CourseRow.code,
                    CompletionRow.course_version,
                    CompletionRow.completed_on,
                    HubRow.code,
                )
                .join(TraineeRow, TraineeRow.id == CompletionRow.trainee_id)
                .join(HubRow, HubRow.id == TraineeRow.hub_id)
                .join(CourseRow, CourseRow.id == CompletionRow.course_id)
                .where(
                    CompletionRow.revoked_at.is_(None),
                    CompletionRow.id.not_in(_LIVE),
                    CompletionRow.source != CompletionSource.EXTERNAL.value,
                )
                .order_by(CompletionRow.completed_on, CompletionRow.id)
            )
            if trainee_id is not None:
                statement = statement.where(CompletionRow.trainee_id == trainee_id)
            else:
                lasting = CompletionRow.expires_on.is_(None) | (
                    CompletionRow.expires_on >= self.today()
                )
                statement = statement.where(
                    CompletionRow.source == CompletionSource.RUN.value, lasting
                )
            if run_id is not None:
                statement = statement.join(
                    EnrolmentRow, EnrolmentRow.id == CompletionRow.enrolment_id
                ).where(EnrolmentRow.run_id == run_id)
            return [
                Waiting(
                    completion_id=row[0],
                    trainee_name=row[1],
                    trainee_reference=row[2],
                    course_code=row[3],
                    course_version=row[4],
                    completed_on=row[5],
                    hub_code=row[6],
                )
                for row in session.execute(statement)
            ]

    def issue(
        self, completion_id: int, *, reason: str = ""
    ) -> tuple[Certificate, CertificateContent]:
        """The certificate of a completion: issued now, or the one already issued."""
        key = self._issuing_key()
        with transaction(self.store) as session:
            _take_numbers(session)
            return self._issue(session, key, completion_id, reason, replaces=None)

    def issue_many(
        self,
        completion_ids: Sequence[int],
        *,
        progress: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        file_pending: str | None = None,
    ) -> list[tuple[Certificate, CertificateContent]]:
        """Issue (or fetch) each; one transaction each, so what was issued stays if stopped.
        With ``file_pending`` (the batch's mark) each new certificate is recorded as waiting
        for its file until `files_written` says it has one (a batch that writes them)."""
        key = self._issuing_key()
        out = []
        for done, completion_id in enumerate(completion_ids, start=1):
            if should_stop is not None and should_stop():
                break
            with transaction(self.store) as session:
                _take_numbers(session)
                out.append(
                    self._issue(
                        session,
                        key,
                        completion_id,
                        "",
                        replaces=None,
                        file_pending=file_pending,
                    )
                )
            if progress is not None:
                progress(done, len(completion_ids))
        return out

    def certified(self, completion_ids: Sequence[int]) -> set[int]:
        """Those of ``completion_ids`` that have a live certificate."""
        with reading(self.store) as session:
            return set(
                session.scalars(
                    select(CertificateRow.completion_id).where(
                        CertificateRow.revoked_at.is_(None),
                        CertificateRow.completion_id.in_(list(completion_ids)),
                    )
                )
            )

    def drafts(
        self, completion_ids: Sequence[int], *, after: Sequence[int] = ()
    ) -> list[CertificateContent]:
        """What issuing these completions would print, without issuing anything: for the
        preview before a batch. A completion that already has its certificate shows that
        certificate; the others carry the numbers they would most likely get if ``after`` were
        issued first and then these in order (another coordinator issuing meanwhile takes
        numbers first), and an unsigned payload. The same refusals as issuing (no such
        completion, revoked)."""
        out = []
        with reading(self.store) as session:
            issued_on = self.today()
            taken = _hubs_waiting(session, after)
            for completion_id in completion_ids:
                completion, trainee = _standing_completion(session, completion_id)
                existing = _live_certificate(session, completion.id)
                if existing is not None:
                    out.append(_content(existing))
                    continue
                hub = session.get_one(HubRow, trainee.hub_id)
                taken[hub.code] = taken.get(hub.code, 0) + 1
                number = _next_number(session, hub.code, issued_on.year, taken[hub.code] - 1)
                content = _compose(session, completion, trainee, hub, number, issued_on, "")
                out.append(
                    dataclasses.replace(content, payload=payload(content.facts(DRAFT_KEY), DRAFT))
                )
        return out

    def _issue(
        self,
        session: Session,
        key: keys.SigningKey,
        completion_id: int,
        reason: str,
        replaces: CertificateRow | None,
        file_pending: str | None = None,
    ) -> tuple[Certificate, CertificateContent]:
        completion, trainee = _standing_completion(session, completion_id)
        existing = _live_certificate(session, completion.id)
        if existing is not None:
            return _certificate(session, existing), _content(existing)
        self.actor.require(
            Act.ISSUE_CERTIFICATES,
            hubs=[trainee.hub_id],
            what=f"issue certificates to {trainee.name}",
        )
        hub = session.get_one(HubRow, trainee.hub_id)
        issued_on = self.today()
        number = _next_number(session, hub.code, issued_on.year)
        content = _compose(
            session,
            completion,
            trainee,
            hub,
            number,
            issued_on,
            replaces.number if replaces is not None else "",
        )
        content = dataclasses.replace(content, payload=key.sign(content.facts(key.fingerprint)))
        row = CertificateRow(
            number=number,
            completion_id=completion.id,
            trainee_id=trainee.id,
            hub_id=hub.id,
            issued_at=self.now(),
            issued_by=self.actor.username,
            expires_on=completion.expires_on,
            key_fingerprint=key.fingerprint,
            payload=content.payload,
            content_json=_dump(content),
            replaces_id=replaces.id if replaces is not None else None,
            revoke_reason="",
            row_version=1,
            file_pending=file_pending,
        )
        add_audited(
            session,
            self.actor,
            row,
            RecordType.CERTIFICATE,
            f"{number} · {trainee.name} · {content.course_code} {completion.course_version}",
            [
                ("number", number),
                ("expires_on", row.expires_on.isoformat() if row.expires_on else None),
                ("replaces", replaces.number if replaces is not None else None),
            ],
            reason,
            at=self.now(),
        )
        return _certificate(session, row), content

    # ----- a batch: issue, then write every file, resumable -------------------------------
    def unwritten(self) -> list[CertificateContent]:
        """Live certificates issued by a batch that stopped before writing their files (its
        process is gone, or it was cancelled), oldest first: the next batch writes them. A
        batch still running, here or in another process, keeps its own."""
        with reading(self.store) as session:
            return [_content(row) for row in _abandoned_rows(session)]

    def _claim_unwritten(self, mark: str) -> list[CertificateContent]:
        """`unwritten`, now marked as this batch's to write (so two batches resuming at once
        do not both take them)."""
        with transaction(self.store) as session:
            _take_numbers(session)
            rows = _abandoned_rows(session)
            for row in rows:
                row.file_pending = mark
            return [_content(row) for row in rows]

    def files_written(self, numbers: Sequence[str]) -> None:
        """Record that these certificates have their files."""
        if not numbers:
            return
        with transaction(self.store) as session:
            for row in session.scalars(
                select(CertificateRow).where(CertificateRow.number.in_(list(numbers)))
            ):
                row.file_pending = None

    def issue_batch(
        self,
        completion_ids: Sequence[int],
        folder: Path,
        *,
        progress: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        workers: int | None = None,
        combined: bool = True,
    ) -> BatchOutcome:
        """Issue certificates for ``completion_ids`` and write their signed files into
        ``folder`` on every core (one PDF each, and for more than one a combined file to
        print). Certificates an interrupted batch issued without writing their files come
        first: they are written now too. Temporary files of killed batches in ``folder`` are
        removed. What was issued and written stays if stopped; running again finishes it."""
        from trainer_app.certificates.files import remove_leftovers

        removed = remove_leftovers(folder)
        if not completion_ids and not self.unwritten():
            return BatchOutcome(0, 0, (), None, False, None, removed)
        mark = _batch_mark()
        _RUNNING.add(mark)
        try:
            return self._run_batch(
                mark, completion_ids, folder, progress, should_stop, workers, combined, removed
            )
        finally:
            _RUNNING.discard(mark)

    def _run_batch(
        self,
        mark: str,
        completion_ids: Sequence[int],
        folder: Path,
        progress: Callable[[int, int], None] | None,
        should_stop: Callable[[], bool] | None,
        workers: int | None,
        combined: bool,
        removed: int,
    ) -> BatchOutcome:
        from trainer_app.certificates.batch import write_batch
        from trainer_app.certificates.files import batch_path

        ready = self.prepare_key()
        key = self.signing_key()
        folder.mkdir(parents=True, exist_ok=True)
        earlier = self._claim_unwritten(mark)
        total = len(earlier) + 2 * len(completion_ids)  # issue each, then draw each

        def issued_so_far(done: int, _n: int) -> None:
            if progress is not None:
                progress(done, total)

        issued = self.issue_many(
            completion_ids,
            progress=issued_so_far,
            should_stop=should_stop,
            file_pending=mark,
        )
        waiting = {c.number for c in earlier}
        contents = [*earlier, *(c for _, c in issued if c.number not in waiting)]
        stopped = should_stop is not None and should_stop()
        paths: list[Path] = []
        book = None
        if contents and not stopped:
            book = batch_path(folder, contents) if combined and len(contents) > 1 else None
            started = len(completion_ids)

            def drawn(done: int, _n: int) -> None:
                if progress is not None:
                    progress(started + done, total)

            paths = write_batch(
                _signed_by(contents, key.fingerprint, self.key_folder),
                folder,
                book,
                key,
                progress=drawn,
                should_stop=should_stop,
                on_written=lambda done: self.files_written([number for number, _ in done]),
                workers=workers,
            )
            stopped = len(paths) < len(contents)
        return BatchOutcome(
            issued=len(issued),
            resumed=len(earlier),
            paths=tuple(paths),
            combined=book if book is not None and book.exists() else None,
            stopped=stopped,
            key=ready,
            leftovers_removed=removed,
        )

    def write_certificate(self, number: str, path: Path) -> Path:
        """Write certificate ``number`` to ``path``: the very file first issued, byte for byte
        (signed again by the key that signed it, on its day of issue)."""
        from trainer_app.certificates.render import render_certificate
        from trainer_app.certificates.signing import DocumentSigner

        content = self.content(number)
        facts = split_payload(content.payload)[0]
        render_certificate(
            content, path, signer=DocumentSigner(keys.key_for(self.key_folder, facts.key))
        )
        return path

    # ----- the register ------------------------------------------------------------------
    def register(self, text: str = "", *, revoked: bool | None = None) -> list[Certificate]:
        """Issued certificates, newest first; ``text`` matches number, name or reference
        (ignoring case and accents: "lukasz" finds Łukasz); ``revoked`` keeps only revoked
        (True) or only valid (False) ones."""
        needle = search_key(clean_text(text))
        with reading(self.store) as session:
            statement = select(CertificateRow).order_by(
                CertificateRow.issued_at.desc(), CertificateRow.id.desc()
            )
            if revoked is not None:
                statement = statement.where(
                    CertificateRow.revoked_at.is_not(None)
                    if revoked
                    else CertificateRow.revoked_at.is_(None)
                )
            out = _certificates(session, session.scalars(statement).all())
        if not needle:
            return out
        return [
            c for c in out if needle in search_key(c.number, c.trainee_name, c.trainee_reference)
        ]

    def content(self, number: str) -> CertificateContent:
        """What was printed, for an identical reprint."""
        with reading(self.store) as session:
            return _content(_by_number(session, number))

    def revoke(self, number: str, reason: str) -> Certificate:
        reason = clean_text(reason)
        if not reason:
            raise ValidationError.single("reason", "Say why the certificate is revoked")
        with transaction(self.store) as session:
            row = _by_number(session, number)
            self._revoke(session, row, reason)
            return _certificate(session, row)

    def reissue(self, number: str, reason: str) -> tuple[Certificate, CertificateContent]:
        """Revoke ``number`` and issue a new certificate for the same completion, which names
        the one it replaces (a corrected name, a lost copy)."""
        reason = clean_text(reason)
        if not reason:
            raise ValidationError.single("reason", "Say why the certificate is reissued")
        key = self.signing_key()
        with transaction(self.store) as session:
            _take_numbers(session)
            old = _by_number(session, number)
            if old.revoked_at is None:
                self._revoke(session, old, f"Reissued: {reason}")
            return self._issue(session, key, old.completion_id, reason, replaces=old)

    def _revoke(self, session: Session, row: CertificateRow, reason: str) -> None:
        self.actor.require(
            Act.ISSUE_CERTIFICATES, hubs=[row.hub_id], what=f"revoke certificate {row.number}"
        )
        if row.revoked_at is not None:
            raise DomainError(f"Certificate {row.number} was already revoked")
        row.revoked_at, row.revoke_reason = self.now(), reason[:500]
        row.row_version += 1
        write_audit(
            session,
            self.actor,
            AuditAction.UPDATE,
            RecordType.CERTIFICATE,
            row.id,
            row.number,
            [("revoked", None, reason[:200])],
            reason,
            at=self.now(),
        )

    # ----- verification ------------------------------------------------------------------
    def verify_file(self, path: Path) -> FileVerdict:
        """A certificate PDF: the file exactly as issued (`trainer_app.certificates.verify`),
        then the register, as for a scanned code."""
        from trainer_app.certificates.verify import check_file

        found = check_file(path, self.public_keys())
        if found.verdict is not Verdict.VALID:
            return found
        verdict, facts = self.verify(found.payload)
        return FileVerdict(verdict, facts, found.payload)

    def verify(self, payload: str) -> tuple[Verdict, CertificateFacts | None]:
        """Signature first (offline), then the register: a genuine but revoked certificate,
        or one this store never issued, says so."""
        verdict, facts = keys.check(payload, self.public_keys())
        if verdict is not Verdict.VALID or facts is None:
            return verdict, facts
        with reading(self.store) as session:
            row = session.scalars(
                select(CertificateRow).where(CertificateRow.number == facts.number)
            ).first()
            if row is None or row.payload != payload.strip():
                return Verdict.TAMPERED, facts
            if row.revoked_at is not None:
                return Verdict.REVOKED, facts
        return Verdict.VALID, facts


# ----- helpers -------------------------------------------------------------------------------


def _signed_by(
    contents: Sequence[CertificateContent], fingerprint: str, folder: Path
) -> list[CertificateContent]:
    """``contents``, refused if one was signed by another key than ``fingerprint`` (a batch
    interrupted before a key rotation: reprint those from the register)."""
    for content in contents:
        key = split_payload(content.payload)[0].key
        if key != fingerprint:
            raise DomainError(
                f"Certificate {content.number} was issued with the retired key {key} and has "
                f"no file yet: write it with trainer-app certificate reprint (keys in {folder})"
            )
    return list(contents)


_RUNNING: set[str] = set()  # the marks of the batches this process is running now


def _batch_mark() -> str:
    """Which batch issued a certificate whose file is not written yet: computer, process, and
    a batch id (one process may run several batches, one after another)."""
    return f"{socket.gethostname()[:60]} {os.getpid()} {uuid.uuid4().hex}"


def _abandoned(mark: str) -> bool:
    """Is the batch that left this mark gone (killed, or stopped and over)? A batch of another
    computer (a shared database) is left to that computer."""
    parts = mark.rsplit(" ", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return True
    host, pid = parts[0], int(parts[1])
    if host != socket.gethostname()[:60]:
        return False
    if pid == os.getpid():
        return mark not in _RUNNING
    return not process_running(pid)


def _abandoned_rows(session: Session) -> list[CertificateRow]:
    rows = session.scalars(
        select(CertificateRow)
        .where(CertificateRow.file_pending.is_not(None), CertificateRow.revoked_at.is_(None))
        .order_by(CertificateRow.id)
    ).all()
    return [row for row in rows if row.file_pending and _abandoned(row.file_pending)]


def _take_numbers(session: Session) -> None:
    """Take the write lock before reading the highest number, so that two batches issuing at
    once (two coordinators, two processes) never pick the same one: the second waits.

    SQLite: a write statement (that changes nothing) starts the write transaction at once;
    PostgreSQL: a table lock that readers pass and other writers of certificates wait for."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE certificates IN SHARE ROW EXCLUSIVE MODE"))
    else:
        session.execute(text("UPDATE certificates SET row_version = row_version WHERE 0 = 1"))


def certificates_of(session: Session, trainee_id: int) -> dict[int, tuple[IssuedCertificate, ...]]:
    """A trainee's certificates by completion, oldest first, revoked ones too, each with the
    issue date it prints (for the training record)."""
    found: dict[int, list[IssuedCertificate]] = {}
    for row in session.scalars(
        select(CertificateRow)
        .where(CertificateRow.trainee_id == trainee_id)
        .order_by(CertificateRow.issued_at, CertificateRow.id)
    ):
        found.setdefault(row.completion_id, []).append(
            IssuedCertificate(
                number=row.number,
                issued_on=_content(row).issued_on,
                revoked_on=row.revoked_at.date() if row.revoked_at else None,
                revoke_reason=row.revoke_reason,
            )
        )
    return {completion: tuple(made) for completion, made in found.items()}


def _standing_completion(session: Session, completion_id: int) -> tuple[CompletionRow, TraineeRow]:
    """The completion and its trainee, if a certificate may be issued for it."""
    completion = session.get(CompletionRow, completion_id)
    if completion is None:
        raise NotFound("There is no such completion; a certificate needs a recorded one")
    trainee = session.get_one(TraineeRow, completion.trainee_id)
    course = session.get_one(CourseRow, completion.course_id)
    if completion.revoked_at is not None:
        raise DomainError(
            f"{trainee.name}'s {course.code} completion was revoked "
            f"({completion.revoke_reason}); no certificate can be issued for it"
        )
    if completion.source == CompletionSource.EXTERNAL.value:
        raise DomainError(
            f"{trainee.name}'s {course.code} training was held elsewhere; its certificate is "
            "the provider's (the training record keeps the evidence)"
        )
    return completion, trainee


def _hubs_waiting(session: Session, completion_ids: Sequence[int]) -> dict[str, int]:
    """How many of these completions (without a certificate) each hub would number."""
    if not completion_ids:
        return {}
    rows = session.execute(
        select(HubRow.code, func.count())
        .select_from(CompletionRow)
        .join(TraineeRow, TraineeRow.id == CompletionRow.trainee_id)
        .join(HubRow, HubRow.id == TraineeRow.hub_id)
        .where(CompletionRow.id.in_(list(completion_ids)), CompletionRow.id.not_in(_LIVE))
        .group_by(HubRow.code)
    )
    return {str(code): int(count) for code, count in rows}


def _live_certificate(session: Session, completion_id: int) -> CertificateRow | None:
    return session.scalars(
        select(CertificateRow).where(
            CertificateRow.completion_id == completion_id,
            CertificateRow.revoked_at.is_(None),
        )
    ).first()


def _compose(
    session: Session,
    completion: CompletionRow,
    trainee: TraineeRow,
    hub: HubRow,
    number: str,
    issued_on: date,
    replaces: str,
) -> CertificateContent:
    """Everything the certificate prints, without its payload."""
    course = session.get_one(CourseRow, completion.course_id)
    look = branding(hub.code)
    return CertificateContent(
        number=number,
        trainee_name=trainee.name,
        course_code=course.code,
        course_title=course.title,
        course_version=completion.course_version,
        completed_on=completion.completed_on,
        issued_on=issued_on,
        expires_on=completion.expires_on,
        cpd_hours=course.cpd_hours,
        learning_outcomes=tuple(course.learning_outcomes),
        assessment_outcome=_outcome(session, completion),
        trainer=_trainer(session, completion),
        signatory=look.signatory,
        signatory_role=look.signatory_role,
        hub_code=hub.code,
        hub_name=hub.name,
        payload="",
        reissue_of=replaces,
    )


def _next_number(session: Session, hub_code: str, year: int, ahead: int = 0) -> str:
    """The hub's next number this year (``ahead`` more for a preview of a batch)."""
    prefix = f"{hub_code.upper()}-{year:04d}-"
    numbers = session.scalars(
        select(CertificateRow.number).where(CertificateRow.number.like(f"{prefix}%"))
    ).all()
    highest = max((int(n.split("-")[2]) for n in numbers), default=0)
    return certificate_number(hub_code, year, highest + 1 + ahead)


def _outcome(session: Session, completion: CompletionRow) -> str:
    if completion.enrolment_id is None:  # history imported (held elsewhere gets none)
        return "Completed (training record)"
    results = session.scalars(
        select(AssessmentRow)
        .where(AssessmentRow.enrolment_id == completion.enrolment_id)
        .order_by(AssessmentRow.assessed_on, AssessmentRow.id)
    ).all()
    theory = next((a.theory_score for a in reversed(results) if a.theory_score is not None), None)
    practical = next(
        (a.practical_passed for a in reversed(results) if a.practical_passed is not None), None
    )
    parts = []
    if theory is not None:
        parts.append(f"Theory {number(theory)} %")
    if practical is not None:
        parts.append("practical assessment passed" if practical else "practical not passed")
    text = " · ".join(parts) or "Attendance requirement met"
    return text[0].upper() + text[1:]  # "Practical assessment passed" when it stands alone


def _trainer(session: Session, completion: CompletionRow) -> str:
    if completion.enrolment_id is None:
        return ""
    enrolment = session.get_one(EnrolmentRow, completion.enrolment_id)
    name = session.scalar(
        select(TrainerRow.name)
        .join(PlannedSessionRow, PlannedSessionRow.trainer_id == TrainerRow.id)
        .where(PlannedSessionRow.run_id == enrolment.run_id)
        .limit(1)
    )
    return name or ""


def _by_number(session: Session, number: str) -> CertificateRow:
    row = session.scalars(
        select(CertificateRow).where(CertificateRow.number == number.strip().upper())
    ).first()
    if row is None:
        raise NotFound(f"There is no certificate {number.strip().upper()}")
    return row


def _dump(content: CertificateContent) -> str:
    data = dataclasses.asdict(content)
    for key, value in data.items():
        if isinstance(value, date | Decimal):
            data[key] = str(value)
    return json.dumps(data, ensure_ascii=False)


def _content(row: CertificateRow) -> CertificateContent:
    data: dict[str, Any] = json.loads(row.content_json)
    for key in ("completed_on", "issued_on"):
        data[key] = date.fromisoformat(data[key])
    data["expires_on"] = date.fromisoformat(data["expires_on"]) if data["expires_on"] else None
    data["cpd_hours"] = Decimal(data["cpd_hours"])
    data["learning_outcomes"] = tuple(data["learning_outcomes"])
    return CertificateContent(**data)


def _certificate(session: Session, row: CertificateRow) -> Certificate:
    return _certificates(session, [row])[0]


def _certificates(session: Session, rows: Sequence[CertificateRow]) -> list[Certificate]:
    """Register entries for ``rows``, with a fixed number of queries however many there are."""
    people = {
        id_: (name, reference)
        for id_, name, reference in session.execute(
            select(TraineeRow.id, TraineeRow.name, TraineeRow.reference).where(
                TraineeRow.id.in_({r.trainee_id for r in rows})
            )
        )
    }
    hubs = dict(session.execute(select(HubRow.id, HubRow.code)).all())
    links = session.execute(
        select(CertificateRow.id, CertificateRow.number, CertificateRow.replaces_id)
    ).all()
    numbers = {id_: number for id_, number, _ in links}
    replaced_by = {replaces: number for _, number, replaces in links if replaces is not None}
    out = []
    for row in rows:
        content = _content(row)
        name, reference = people[row.trainee_id]
        out.append(
            Certificate(
                id=row.id,
                number=row.number,
                completion_id=row.completion_id,
                trainee_id=row.trainee_id,
                trainee_name=name,
                trainee_reference=reference,
                course_code=content.course_code,
                course_title=content.course_title,
                course_version=content.course_version,
                hub_code=hubs[row.hub_id],
                issued_at=row.issued_at,
                issued_by=row.issued_by,
                expires_on=row.expires_on,
                revoked_at=row.revoked_at,
                revoke_reason=row.revoke_reason,
                replaces=numbers[row.replaces_id] if row.replaces_id else "",
                replaced_by=replaced_by.get(row.id, ""),
            )
        )
    return out

"""The audit trail's seal as pure data: every way of tampering with a sealed trail is found,
and the first broken point is the one named."""

from __future__ import annotations

import pytest

from trainer_app.domain.audit_chain import (
    Break,
    ChainKey,
    Head,
    SealedRow,
    StoredEntry,
    message,
    seal,
    verify,
)

KEY = ChainKey(bytes(range(32)))


def entry(entry_id: int, reason: str = "") -> StoredEntry:
    return StoredEntry(
        entry_id,
        f"2026-12-06 10:00:{entry_id % 60:02d}.000000",
        "local",
        "update",
        "trainee",
        entry_id * 10,
        f"Trainee {entry_id}",
        '[{"field": "name", "old": "A", "new": "B"}]',
        reason,
    )


def trail(count: int) -> list[SealedRow]:
    entries = [entry(i) for i in range(1, count + 1)]
    by_id = {e.entry_id: e for e in entries}
    return [(seq, KEY.key_id, link, by_id[eid]) for seq, eid, link in seal(KEY, None, entries)]


KEYS = {KEY.key_id: KEY}


def test_an_untouched_trail_is_intact_and_its_head_is_the_last_seal() -> None:
    rows = trail(5)
    verdict = verify(rows, KEYS)
    assert verdict.intact and verdict.checked == 5
    assert verdict.head == Head(5, rows[-1][2])
    assert verdict.summary() == "The audit trail is intact: 5 entries, every link holds."


def test_sealing_in_two_commits_gives_the_same_links_as_in_one() -> None:
    entries = [entry(i) for i in range(1, 7)]
    whole = seal(KEY, None, entries)
    first = seal(KEY, None, entries[:4])
    rest = seal(KEY, Head(first[-1][0], first[-1][2]), entries[4:])
    assert first + rest == whole


def test_a_changed_entry_is_named() -> None:
    rows = trail(5)
    seq, key_id, link, original = rows[2]
    assert original is not None
    rows[2] = (seq, key_id, link, original._replace(reason="forged"))
    verdict = verify(rows, KEYS)
    assert verdict.problem is not None
    assert (verdict.problem.kind, verdict.problem.entry_id) == (Break.CHANGED, 3)
    assert verdict.summary().startswith("The audit trail is broken: audit entry 3 (number 3)")


def test_text_moved_between_fields_is_a_change() -> None:
    """The content is hashed as a JSON array: no field can lend characters to the next."""
    one = entry(1)._replace(actor="ab", action="c")
    two = entry(1)._replace(actor="a", action="bc")
    assert message(one) != message(two)


def test_a_removed_seal_and_entry_leave_a_gap_in_the_numbers() -> None:
    rows = trail(5)
    del rows[1]
    problem = verify(rows, KEYS).problem
    assert problem is not None and (problem.kind, problem.seq) == (Break.REMOVED, 2)
    assert "removed after audit entry 1" in problem.detail


def test_a_removed_entry_whose_seal_stayed_is_found() -> None:
    rows = trail(4)
    seq, key_id, link, _ = rows[3]
    rows[3] = (seq, key_id, link, None)
    problem = verify(rows, KEYS).problem
    assert problem is not None and (problem.kind, problem.seq) == (Break.REMOVED, 4)


def test_renumbering_after_a_removal_breaks_the_next_link() -> None:
    rows = trail(5)
    del rows[1]
    rows = [(i + 1, k, link, e) for i, (_, k, link, e) in enumerate(rows)]
    problem = verify(rows, KEYS).problem
    assert problem is not None and (problem.kind, problem.seq) == (Break.CHANGED, 2)


def test_two_entries_swapped_are_found_at_the_first() -> None:
    rows = trail(5)
    (s1, k1, l1, e1), (s2, k2, l2, e2) = rows[1], rows[2]
    rows[1], rows[2] = (s1, k1, l1, e2), (s2, k2, l2, e1)
    problem = verify(rows, KEYS).problem
    assert problem is not None and (problem.kind, problem.seq) == (Break.CHANGED, 2)


def test_an_entry_with_a_seal_made_without_the_key_is_found() -> None:
    rows = trail(3)
    forger = ChainKey.new()
    forged = seal(forger, Head(3, rows[-1][2]), [entry(4, "inserted")])
    rows.append((4, KEY.key_id, forged[0][2], entry(4, "inserted")))
    problem = verify(rows, KEYS).problem
    assert problem is not None and (problem.kind, problem.seq) == (Break.CHANGED, 4)


def test_an_entry_without_a_seal_is_found() -> None:
    problem = verify(trail(3), KEYS, first_unsealed=9).problem
    assert problem is not None and (problem.kind, problem.entry_id) == (Break.UNSEALED, 9)
    assert "added outside the app" in problem.detail


def test_entries_removed_from_the_end_are_found_against_the_last_seen_head() -> None:
    rows = trail(5)
    seen = Head(5, rows[-1][2])
    problem = verify(rows[:3], KEYS, last_seen=seen).problem
    assert problem is not None and problem.kind is Break.TRUNCATED
    assert "the last 2 entries were removed" in problem.detail
    assert verify(rows, KEYS, last_seen=seen).intact


def test_an_older_copy_written_to_since_is_found() -> None:
    rows = trail(5)
    seen = Head(5, rows[-1][2])
    older = rows[:3]
    entries = [entry(i, "after the copy was put back") for i in range(4, 7)]
    resealed = seal(KEY, Head(3, older[-1][2]), entries)
    by_id = {e.entry_id: e for e in entries}
    older += [(seq, KEY.key_id, link, by_id[eid]) for seq, eid, link in resealed]
    problem = verify(older, KEYS, last_seen=seen).problem
    assert problem is not None and (problem.kind, problem.seq) == (Break.REWRITTEN, 5)


def test_entries_sealed_with_a_key_not_held_here_are_counted_not_passed() -> None:
    other = ChainKey.new()
    entries = [entry(i) for i in range(1, 4)]
    first = seal(KEY, None, entries[:2])
    last = seal(other, Head(2, first[-1][2]), entries[2:])
    rows: list[SealedRow] = [(s, KEY.key_id, link, entries[s - 1]) for s, _, link in first]
    rows += [(s, other.key_id, link, entries[s - 1]) for s, _, link in last]
    verdict = verify(rows, KEYS)
    assert not verdict.intact and verdict.problem is None
    assert verdict.unknown_keys == {other.key_id: 1} and verdict.checked == 2
    assert "1 entry was sealed with a key this installation does not hold" in verdict.summary()
    assert verify(rows, {**KEYS, other.key_id: other}).intact


def test_the_key_is_never_shown() -> None:
    assert KEY.secret.hex() not in repr(KEY)
    assert len(KEY.key_id) == 16 and KEY.key_id not in KEY.secret.hex()
    with pytest.raises(ValueError, match="32 bytes"):
        ChainKey(b"short")


def test_values_of_the_wrong_type_in_a_damaged_file_are_a_change_not_a_crash() -> None:
    rows = trail(3)
    seq, key_id, link, original = rows[1]
    assert original is not None
    odd = original._replace(actor=b"\xff\xfe", entity_id="seven", changes=None)
    rows[1] = (seq, key_id, link, odd)
    problem = verify(rows, KEYS).problem
    assert problem is not None and (problem.kind, problem.seq) == (Break.CHANGED, 2)

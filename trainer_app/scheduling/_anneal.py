"""The compiled inner loop of the local search: simulated annealing over session moves and swaps.

Pure data in, pure data out: integer NumPy arrays built by ``local_search.py``, which owns the
meaning. Each function here is plain Python over those arrays; when numba is installed they are
compiled (``nogil``, so several chains run on several cores at once), otherwise they run as they
are, slowly but with the same results.

A session is an index ``i``; a placed session has a start ``sg[i] >= 0`` and a facility
``sf[i]``. Occupancy tables hold the session in each period (``-1`` free, ``-2`` unavailable).
The kernel only moves sessions whose trainer stays, so a run's trainer, its load and the
trainer-total rule never change here; every other hard rule is checked before a move is made
and every cost term is updated by its change (delta), never recomputed.

Static tuple ``S`` (read only) and state tuple ``X`` (changed in place); see ``local_search``.
A move of a placed session keeps its trainer's total; putting a session in adds to it, so that
is the one case where the trainer-total rule is checked.
"""

from __future__ import annotations

import contextlib
import glob
import math
import os
from typing import Any

import numpy as np

from trainer_app.scheduling.rules import Face, Rule, Term, enforces

try:  # pragma: no branch - numba is a dependency; its absence only makes the loop slow
    if "NUMBA_CACHE_DIR" not in os.environ:  # compiled code goes to the user's cache folder
        import platformdirs

        _cache = os.path.join(platformdirs.user_cache_dir("trainer-app"), "numba")
        try:
            os.makedirs(_cache, exist_ok=True)
        except OSError:
            import tempfile

            _cache = os.path.join(tempfile.gettempdir(), "trainer-app-numba")
        os.environ["NUMBA_CACHE_DIR"] = _cache
    import numba

    COMPILED = True

    def _jit(fn: Any) -> Any:
        return numba.njit(cache=True, nogil=True)(fn)

except ImportError:  # pragma: no cover
    COMPILED = False

    def _jit(fn: Any) -> Any:
        return fn


def forget_cache() -> bool:
    """Delete this module's compiled files from numba's cache folder (a damaged one cannot be
    loaded; numba then compiles afresh). Whether there were any."""
    folder = os.environ.get("NUMBA_CACHE_DIR")
    if not folder:
        return False
    found = glob.glob(os.path.join(glob.escape(folder), "**", "_anneal.*.nb[ic]"), recursive=True)
    for path in found:
        with contextlib.suppress(OSError):
            os.remove(path)
    return bool(found)


# Indexes into the weights array.
W_CAP, W_SPREAD, W_ISO, W_FAC, W_AWAY, W_LATE, W_MOVES, W_OUT = range(8)
MASK = 0xFFFFFFFF


@_jit
def rand(rng: Any) -> int:
    """xorshift32 in an int64 cell: the same sequence compiled or not."""
    x = rng[0]
    x ^= (x << 13) & MASK
    x ^= x >> 17
    x ^= (x << 5) & MASK
    rng[0] = x
    return x  # type: ignore[no-any-return]


@enforces(
    Rule.OUTSIDE_DAY,
    Rule.FACILITY_KIND,
    Rule.FACILITY_HUB,
    Rule.CAPACITY,
    Rule.UNAVAILABLE,
    Rule.FACILITY_CLASH,
    Rule.TRAINER_CLASH,
    Rule.COHORT_CLASH,
    Rule.TRAINER_TWO_HUBS,
    Rule.TRAINER_DAY_LIMIT,
    Rule.TRAINER_WEEK_LIMIT,
    Rule.TRAINER_TOTAL_LIMIT,
    Rule.AFTER,
    face=Face.SEARCH,
)
@_jit
def feasible(i: int, g: int, f: int, S: Any, X: Any) -> bool:
    """Can session ``i`` start at ``g`` in facility ``f``, every other session staying put?

    Session ``i`` may be placed already: what it holds itself does not count against it."""
    (
        P, H, s_off, s_len, s_tr, _pg, _pf, _md, o_dead, o_co_ptr, o_co, _st_ptr, _st,
        _fa_ptr, _fa, o_st_ok, o_fa_ok, _over, o_pr_ptr, o_pr, o_su_ptr, o_su, o_se_ptr, o_se,
        f_hub, _t_hub, t_dlim, t_wlim, week, _w, t_tlim,
    ) = S  # fmt: skip
    sg, sf, fac_at, tr_at, co_at, tr_day, tr_week, tr_hub = X[0:8]
    o = s_off[i]
    L = s_len[i]
    t = s_tr[i]
    if o_st_ok[o, g] == 0 or o_fa_ok[o, f] == 0:
        return False
    if g + L > o_dead[o]:
        return False
    for q in range(g, g + L):
        a = fac_at[f, q]
        if a != -1 and a != i:  # noqa: PLR1714 - plain comparisons compile best
            return False
        a = tr_at[t, q]
        if a != -1 and a != i:  # noqa: PLR1714 - plain comparisons compile best
            return False
        for k in range(o_co_ptr[o], o_co_ptr[o + 1]):
            a = co_at[o_co[k], q]
            if a != -1 and a != i:  # noqa: PLR1714 - plain comparisons compile best
                return False
    d = g // P
    own_day = 0
    own_week = 0
    own_hub = -1
    g0 = sg[i]
    if g0 >= 0:
        d0 = g0 // P
        if d0 == d:
            own_day = L
            own_hub = f_hub[sf[i]]
        if week[d0] == week[d]:
            own_week = L
    if g0 < 0 and X[15][t] + L > t_tlim[t]:
        return False  # a session put in adds to its trainer's total
    if tr_day[t, d] - own_day + L > t_dlim[t]:
        return False
    if tr_week[t, week[d]] - own_week + L > t_wlim[t]:
        return False
    h = f_hub[f]
    for hh in range(H):
        if hh != h:
            n = tr_hub[t, d, hh]
            if hh == own_hub:
                n -= 1
            if n > 0:
                return False
    for k in range(o_pr_ptr[o], o_pr_ptr[o + 1]):
        p = o_pr[k]
        for m in range(o_se_ptr[p], o_se_ptr[p + 1]):
            j = o_se[m]
            if sg[j] >= 0 and sg[j] + s_len[j] > g:
                return False
    for k in range(o_su_ptr[o], o_su_ptr[o + 1]):
        n2 = o_su[k]
        for m in range(o_se_ptr[n2], o_se_ptr[n2 + 1]):
            j = o_se[m]
            if sg[j] >= 0 and g + L > sg[j]:
                return False
    return True


@enforces(Term.CAPACITY_OVERFLOW, Term.TRAINER_AWAY, Term.LATE_FINISH, Term.MOVES, face=Face.SEARCH)
@_jit
def _session_cost(i: int, g: int, f: int, S: Any) -> int:
    P = S[0]
    s_off, s_len, s_tr, s_pg, s_pf = S[2], S[3], S[4], S[5], S[6]
    over, f_hub, t_hub, w = S[17], S[24], S[25], S[29]
    o = s_off[i]
    c = w[W_CAP] * over[o, f]
    if t_hub[s_tr[i]] != f_hub[f]:
        c += w[W_AWAY]
    if g % P + s_len[i] == P:
        c += w[W_LATE]
    pg = s_pg[i]
    if pg == -2 or (pg >= 0 and (pg != g or s_pf[i] != f)):
        c += w[W_MOVES]
    return c  # type: ignore[no-any-return]


@enforces(Term.COHORT_ISOLATED, face=Face.SEARCH)
@_jit
def _isolation(i: int, g: int, c: int, L: int, P: int, sg: Any, s_len: Any, co_at: Any) -> int:
    """Isolated sessions of cohort ``c`` that ``i`` at ``g`` (not yet in ``co_at``) would add."""
    a = co_at[c, g - 1] if g % P > 0 else -1
    b = co_at[c, g + L] if (g + L) % P > 0 else -1
    before = 0
    if a >= 0:  # a ends at g; isolated until now when nothing precedes it
        ga = sg[a]
        if ga % P == 0 or co_at[c, ga - 1] < 0:
            before += 1
    if b >= 0:  # b starts at g + L
        eb = sg[b] + s_len[b]
        if eb % P == 0 or co_at[c, eb] < 0:
            before += 1
    after = 1 if (a < 0 and b < 0) else 0
    return after - before


@enforces(Term.SPREAD_SHORTFALL, face=Face.SEARCH)
@_jit
def _spread(md: int, used: int) -> int:
    if used == 0:
        return 0
    return md - used if used < md else 0


@enforces(Rule.UNPLACED, Term.FACILITY_CHANGES, face=Face.SEARCH)
@_jit
def insert(i: int, g: int, f: int, S: Any, X: Any) -> int:
    """Place session ``i`` (not placed) at ``g`` in ``f``; return the change in cost."""
    P, s_off, s_len, s_tr = S[0], S[2], S[3], S[4]
    o_md, o_co_ptr, o_co, f_hub, week, w = S[7], S[9], S[10], S[24], S[28], S[29]
    sg, sf, fac_at, tr_at, co_at, tr_day, tr_week, tr_hub, o_day, o_days, o_facn, o_facs = X[:12]
    out, out_list, out_pos = X[12], X[13], X[14]
    o = s_off[i]
    L = s_len[i]
    t = s_tr[i]
    d = g // P
    out[0] -= 1
    X[16][o] -= 1
    if X[16][o] == 0:  # the run is whole again
        X[17][0] -= S[22][o + 1] - S[22][o]
    last = out_list[out[0]]  # i leaves the list of sessions left out; the last takes its place
    out_list[out_pos[i]] = last
    out_pos[last] = out_pos[i]
    out_pos[i] = -1
    delta = _session_cost(i, g, f, S) - w[W_OUT]
    used = o_days[o]
    before = _spread(o_md[o], used)
    if o_day[o, d] == 0:
        used += 1
        o_days[o] = used
    o_day[o, d] += 1
    delta += w[W_SPREAD] * (_spread(o_md[o], used) - before)
    n = o_facs[o]
    before = n - 1 if n > 0 else 0
    if o_facn[o, f] == 0:
        n += 1
        o_facs[o] = n
    o_facn[o, f] += 1
    delta += w[W_FAC] * (n - 1 - before)
    for k in range(o_co_ptr[o], o_co_ptr[o + 1]):
        c = o_co[k]
        delta += w[W_ISO] * _isolation(i, g, c, L, P, sg, s_len, co_at)
        for q in range(g, g + L):
            co_at[c, q] = i
    for q in range(g, g + L):
        fac_at[f, q] = i
        tr_at[t, q] = i
    tr_day[t, d] += L
    X[15][t] += L
    tr_week[t, week[d]] += L
    tr_hub[t, d, f_hub[f]] += 1
    sg[i] = g
    sf[i] = f
    return delta  # type: ignore[no-any-return]


@enforces(Rule.UNPLACED, Term.FACILITY_CHANGES, face=Face.SEARCH)
@_jit
def remove(i: int, S: Any, X: Any) -> int:
    """Take placed session ``i`` out; return the change in cost."""
    P, s_off, s_len, s_tr = S[0], S[2], S[3], S[4]
    o_md, o_co_ptr, o_co, f_hub, week, w = S[7], S[9], S[10], S[24], S[28], S[29]
    sg, sf, fac_at, tr_at, co_at, tr_day, tr_week, tr_hub, o_day, o_days, o_facn, o_facs = X[:12]
    out, out_list, out_pos = X[12], X[13], X[14]
    o = s_off[i]
    L = s_len[i]
    t = s_tr[i]
    g = sg[i]
    f = sf[i]
    d = g // P
    sg[i] = -1
    out_list[out[0]] = i
    out_pos[i] = out[0]
    out[0] += 1
    if X[16][o] == 0:  # the run is no longer whole: all its sessions count as lost
        X[17][0] += S[22][o + 1] - S[22][o]
    X[16][o] += 1
    delta = w[W_OUT] - _session_cost(i, g, f, S)
    for q in range(g, g + L):
        fac_at[f, q] = -1
        tr_at[t, q] = -1
    tr_day[t, d] -= L
    X[15][t] -= L
    tr_week[t, week[d]] -= L
    tr_hub[t, d, f_hub[f]] -= 1
    for k in range(o_co_ptr[o], o_co_ptr[o + 1]):
        c = o_co[k]
        for q in range(g, g + L):
            co_at[c, q] = -1
        delta -= w[W_ISO] * _isolation(i, g, c, L, P, sg, s_len, co_at)
    used = o_days[o]
    before = _spread(o_md[o], used)
    o_day[o, d] -= 1
    if o_day[o, d] == 0:
        used -= 1
        o_days[o] = used
    delta += w[W_SPREAD] * (_spread(o_md[o], used) - before)
    n = o_facs[o]
    before = n - 1 if n > 0 else 0
    o_facn[o, f] -= 1
    if o_facn[o, f] == 0:
        n -= 1
        o_facs[o] = n
    after = n - 1 if n > 0 else 0
    delta += w[W_FAC] * (after - before)
    return delta  # type: ignore[no-any-return]


@_jit
def _accept(delta: int, temperature: float, rng: Any) -> bool:
    if delta <= 0:
        return True
    if temperature <= 0.0:
        return False
    return bool(rand(rng) < math.exp(-delta / temperature) * 4294967296.0)


@_jit
def _try_swap(i: int, j: int, g: int, f: int, S: Any, X: Any) -> tuple[bool, int]:
    """Session ``i`` to ``g`` in ``f``; ``j`` (which holds ``f`` at ``g``) to where ``i`` was.
    Made when feasible, with its change in cost; otherwise nothing changes."""
    s_off, st_ok, fa_ok = S[2], S[15], S[16]
    sg, sf = X[0], X[1]
    g0, f0, g1, f1 = sg[i], sf[i], sg[j], sf[j]
    p = s_off[j]
    if st_ok[p, g0] == 0 or fa_ok[p, f0] == 0:
        return False, 0
    delta = remove(i, S, X)
    delta += remove(j, S, X)
    if feasible(i, g, f, S, X):
        delta += insert(i, g, f, S, X)
        if feasible(j, g0, f0, S, X):
            delta += insert(j, g0, f0, S, X)
            return True, delta
        remove(i, S, X)
    insert(i, g0, f0, S, X)
    insert(j, g1, f1, S, X)
    return False, 0


@_jit
def _undo_swap(i: int, j: int, g0: int, f0: int, g1: int, f1: int, S: Any, X: Any) -> None:
    remove(i, S, X)
    remove(j, S, X)
    insert(i, g0, f0, S, X)
    insert(j, g1, f1, S, X)


@_jit
def _join(chain: Any, side: Any, n: int, j: int, to: int, limit: int, S: Any, ok: Any) -> int:
    """Add session ``j`` (found at the chain's ``to`` side's other period) to the chain."""
    if j == -1:
        return n
    for k in range(n):
        if chain[k] == j:
            return n
    if j < 0 or ok[j] == 0 or S[3][j] != 1 or n >= limit:
        return -1  # unavailable, fixed, longer than one period, or too long a chain
    chain[n] = j
    side[n] = to
    return n + 1


@_jit
def _kempe(
    i: int, g2: int, S: Any, X: Any, is_movable: Any, chain: Any, side: Any, rng: Any
) -> tuple[int, int]:
    """Kempe-chain move: session ``i`` goes from its start g1 to ``g2``; every one-period
    session sharing a trainer or a cohort with a moving one at the other period goes the
    other way, and so on. Each keeps its facility when it can, else takes the first suitable
    free one. Returns (chain length, change in cost); length 0 when refused (nothing changed).
    """
    s_off, s_tr, o_co_ptr, o_co, st_ok = S[2], S[4], S[9], S[10], S[15]
    fa_ptr, fa = S[13], S[14]
    sg, sf, tr_at, co_at = X[0], X[1], X[3], X[4]
    g1 = sg[i]
    limit = chain.shape[0]
    chain[0] = i
    side[0] = 0
    n = 1
    k = 0
    while k < n:
        j = chain[k]
        here = g2 if side[k] == 0 else g1  # where j goes; who is there must go the other way
        back = 1 - side[k]
        if st_ok[s_off[j], here] == 0:
            return 0, 0
        n = _join(chain, side, n, tr_at[s_tr[j], here], back, limit, S, is_movable)
        if n < 0:
            return 0, 0
        o = s_off[j]
        for m in range(o_co_ptr[o], o_co_ptr[o + 1]):
            n = _join(chain, side, n, co_at[o_co[m], here], back, limit, S, is_movable)
            if n < 0:
                return 0, 0
        k += 1
    delta = 0
    for k in range(n):
        j = chain[k]
        side[k] += 2 * sf[j]  # remember the facility: side = 2 * facility + side
        delta += remove(j, S, X)
    placed = 0
    for k in range(n):
        j = chain[k]
        g = g2 if side[k] % 2 == 0 else g1
        f = side[k] // 2
        if not feasible(j, g, f, S, X):
            o = s_off[j]
            count = fa_ptr[o + 1] - fa_ptr[o]
            first = rand(rng) % count
            f = -1
            for m in range(count):
                cand = fa[fa_ptr[o] + (first + m) % count]
                if feasible(j, g, cand, S, X):
                    f = cand
                    break
            if f < 0:
                break
        delta += insert(j, g, f, S, X)
        placed += 1
    if placed == n:
        return n, delta
    _kempe_undo(chain, side, placed, n, g1, g2, S, X)
    return 0, 0


@_jit
def _kempe_undo(
    chain: Any, side: Any, placed: int, n: int, g1: int, g2: int, S: Any, X: Any
) -> None:
    """Put the first ``placed`` of ``n`` chain sessions back where they were."""
    for k in range(placed):
        remove(chain[k], S, X)
    for k in range(n):
        g = g1 if side[k] % 2 == 0 else g2
        insert(chain[k], g, side[k] // 2, S, X)


@_jit
def _place(
    i: int, g: int, f: int, S: Any, X: Any, ejectable: Any, chain: Any, side: Any
) -> tuple[int, int]:
    """Session ``i`` (not placed) to ``g`` in ``f``, taking out the movable sessions in its way
    (the facility's, the trainer's and the cohorts' at those periods). Returns (how many were
    taken out + 1, change in cost); 0 when refused (nothing changed). The ones taken out are
    in ``chain``, their start and facility in ``side`` (2 per session)."""
    s_off, s_len, s_tr, o_co_ptr, o_co = S[2], S[3], S[4], S[9], S[10]
    sg, sf, fac_at, tr_at, co_at = X[0], X[1], X[2], X[3], X[4]
    o = s_off[i]
    t = s_tr[i]
    limit = chain.shape[0]
    n = 0
    for q in range(g, g + s_len[i]):
        for layer in range(2 + o_co_ptr[o + 1] - o_co_ptr[o]):
            if layer == 0:
                j = fac_at[f, q]
            elif layer == 1:
                j = tr_at[t, q]
            else:
                j = co_at[o_co[o_co_ptr[o] + layer - 2], q]
            if j == -1:
                continue
            if j < 0 or ejectable[j] == 0:
                return 0, 0
            seen = False
            for k in range(n):
                if chain[k] == j:
                    seen = True
            if not seen:
                if n >= limit or 2 * n + 1 >= side.shape[0]:
                    return 0, 0
                chain[n] = j
                n += 1
    delta = 0
    for k in range(n):
        j = chain[k]
        side[2 * k] = sg[j]
        side[2 * k + 1] = sf[j]
        delta += remove(j, S, X)
    if feasible(i, g, f, S, X):
        delta += insert(i, g, f, S, X)
        return n + 1, delta
    for k in range(n):
        insert(chain[k], side[2 * k], side[2 * k + 1], S, X)
    return 0, 0


@_jit
def _unplace(i: int, n: int, S: Any, X: Any, chain: Any, side: Any) -> None:
    """Undo ``_place``: ``i`` out again, the ``n`` sessions it took out back in."""
    remove(i, S, X)
    for k in range(n):
        insert(chain[k], side[2 * k], side[2 * k + 1], S, X)


@_jit
def anneal(
    S: Any,
    X: Any,
    movable: Any,
    is_movable: Any,
    ejectable: Any,
    best_g: Any,
    best_f: Any,
    rng: Any,
    iterations: int,
    t_first: float,
    t_last: float,
    cost: int,
    best: Any,
    keep_facility: float,
    sibling_facility: float,
    kempe_share: float,
    chain: Any,
    side: Any,
    stats: Any,
) -> int:
    """``iterations`` proposals at a temperature falling from ``t_first`` to ``t_last``.

    A proposal takes one movable session to a random allowed start, in its own facility, the
    facility of another session of its run (room stability) or any suitable one. For a session
    not placed, it is put there and whatever movable sessions stand in its way are taken out
    (each left out costs ``w[W_OUT]``). For a placed one of a single period, sometimes a Kempe
    chain; else when a movable session holds that facility then, the two swap; otherwise the
    session just moves. Infeasible proposals are refused before anything changes; feasible
    ones are made, their cost change summed from deltas, and undone when not accepted.

    ``best`` holds (sessions of runs not whole, cost) of the best state seen, compared in that
    order; that state is copied to ``best_g``/``best_f``. Returns the current cost.
    """
    s_off, s_len = S[2], S[3]
    st_ptr, st, fa_ptr, fa = S[11], S[12], S[13], S[14]
    sg, sf, out = X[0], X[1], X[12]
    M = movable.shape[0]
    if M == 0:
        return cost
    ratio = 1.0
    if iterations > 1 and t_first > 0.0 and t_last > 0.0:
        ratio = (t_last / t_first) ** (1.0 / iterations)
    temperature = t_first
    keep_cut = int(keep_facility * 4294967296.0)
    kempe_cut = int(kempe_share * 4294967296.0)
    sibling_cut = keep_cut + int(sibling_facility * 4294967296.0)
    out_list = X[13]
    for _ in range(iterations):
        temperature *= ratio
        i = movable[rand(rng) % M]
        if out[0] > 0 and rand(rng) < 2147483648:  # half the time, a session left out
            i = out_list[rand(rng) % out[0]]
            if is_movable[i] == 0:
                continue
        o = s_off[i]
        g0 = sg[i]
        f0 = sf[i]
        stats[0] += 1
        g = st[st_ptr[o] + rand(rng) % (st_ptr[o + 1] - st_ptr[o])]
        if g0 < 0:
            f = fa[fa_ptr[o] + rand(rng) % (fa_ptr[o + 1] - fa_ptr[o])]
            n, delta = _place(i, g, f, S, X, ejectable, chain, side)
            if n == 0:
                continue
            stats[7] += 1
            if _accept(delta, temperature, rng):
                cost += delta
            else:
                _unplace(i, n - 1, S, X, chain, side)
        elif s_len[i] == 1 and g != g0 and rand(rng) < kempe_cut:
            n, delta = _kempe(i, g, S, X, is_movable, chain, side, rng)
            if n == 0:
                continue
            stats[5] += 1
            if _accept(delta, temperature, rng):
                stats[6] += 1
                cost += delta
            else:
                _kempe_undo(chain, side, n, n, g0, g, S, X)
        else:
            cost = _move(i, g, o, g0, f0, S, X, is_movable, rng, temperature, keep_cut,
                         sibling_cut, cost, stats)  # fmt: skip
        lost = X[17][0]
        if lost < best[0] or (lost == best[0] and cost < best[1]):
            best[0] = lost
            best[1] = cost
            best_g[:] = sg
            best_f[:] = sf
    return cost


@_jit
def _move(
    i: int,
    g: int,
    o: int,
    g0: int,
    f0: int,
    S: Any,
    X: Any,
    is_movable: Any,
    rng: Any,
    temperature: float,
    keep_cut: int,
    sibling_cut: int,
    cost: int,
    stats: Any,
) -> int:
    """Move placed session ``i`` to ``g`` (or swap it with the session in its way)."""
    s_off, s_len, fa_ptr, fa, se_ptr, se = S[2], S[3], S[13], S[14], S[22], S[23]
    sg, sf, fac_at = X[0], X[1], X[2]
    roll = rand(rng)
    if roll < keep_cut:
        f = f0
    elif roll < sibling_cut:
        f = sf[se[se_ptr[o] + rand(rng) % (se_ptr[o + 1] - se_ptr[o])]]
        if f < 0:
            f = f0
    else:
        f = fa[fa_ptr[o] + rand(rng) % (fa_ptr[o + 1] - fa_ptr[o])]
    if g == g0 and f == f0:
        return cost
    j = fac_at[f, g]
    if j >= 0 and j != i and is_movable[j] == 1 and s_off[j] != o and s_len[j] == s_len[i]:
        g1 = sg[j]
        f1 = sf[j]
        made, delta = _try_swap(i, j, g, f, S, X)
        if not made:
            return cost
        stats[3] += 1
        if _accept(delta, temperature, rng):
            stats[4] += 1
            cost += delta
        else:
            _undo_swap(i, j, g0, f0, g1, f1, S, X)
    else:
        if not feasible(i, g, f, S, X):
            return cost
        stats[1] += 1
        delta = remove(i, S, X)
        delta += insert(i, g, f, S, X)
        if _accept(delta, temperature, rng):
            stats[2] += 1
            cost += delta
        else:
            remove(i, S, X)
            insert(i, g0, f0, S, X)
    return cost


@_jit
def worsenings(S: Any, X: Any, movable: Any, rng: Any, samples: int) -> Any:
    """Cost increases of up to ``samples`` random feasible single-session moves, each made
    and undone at once (the timetable is unchanged afterwards): how steep the landscape is
    where the search starts, for choosing its first temperature."""
    s_off, st_ptr, st, fa_ptr, fa = S[2], S[11], S[12], S[13], S[14]
    sg, sf = X[0], X[1]
    found = np.zeros(samples, dtype=np.int64)
    M = movable.shape[0]
    n = 0
    for _ in range(100 * samples):
        if n == samples or M == 0:
            break
        i = movable[rand(rng) % M]
        g0 = sg[i]
        f0 = sf[i]
        if g0 < 0:
            continue
        o = s_off[i]
        g = st[st_ptr[o] + rand(rng) % (st_ptr[o + 1] - st_ptr[o])]
        f = fa[fa_ptr[o] + rand(rng) % (fa_ptr[o + 1] - fa_ptr[o])]
        if (g == g0 and f == f0) or not feasible(i, g, f, S, X):
            continue
        delta = remove(i, S, X)
        delta += insert(i, g, f, S, X)
        remove(i, S, X)
        insert(i, g0, f0, S, X)
        if delta > 0:
            found[n] = delta
            n += 1
    return found[:n]


def new_rng(seed: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    return np.array([(seed * 2654435761 + 1) & MASK or 1], dtype=np.int64)

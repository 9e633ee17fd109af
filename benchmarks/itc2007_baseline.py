"""A plain whole-instance CP-SAT model of an ITC-2007 track-3 instance, for comparison.

One boolean per course × period × room, the four soft costs as linear terms (capacity overflow,
days short of the minimum ×5, isolated curriculum lectures ×2, extra rooms per course), hinted
with a greedy timetable, solved with a given number of workers. No search of its own: this is the
reference point the planner must beat (benchmarks/itc2007.py runs both in the same run).
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model


@dataclass
class Ctt:
    days: int
    periods: int
    courses: list[tuple[str, str, int, int, int]]  # id, teacher, lectures, min days, students
    rooms: list[tuple[str, int]]
    curricula: list[list[int]]  # course indexes
    unavailable: set[tuple[int, int]]  # (course, global period)


def read_ctt(text: str) -> Ctt:
    head: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "END.":
            continue
        if line.endswith(":") and line[:-1].isupper():
            current = line[:-1]
            sections[current] = []
        elif current is None:
            key, value = line.split(":", 1)
            head[key.strip()] = value.strip()
        else:
            sections[current].append(line.split())
    periods = int(head["Periods_per_day"])
    courses = [(c, t, int(n), int(md), int(s)) for c, t, n, md, s in sections["COURSES"]]
    index = {c[0]: i for i, c in enumerate(courses)}
    return Ctt(
        days=int(head["Days"]),
        periods=periods,
        courses=courses,
        rooms=[(r, int(cap)) for r, cap in sections["ROOMS"]],
        curricula=[[index[c] for c in q[2:]] for q in sections["CURRICULA"]],
        unavailable={
            (index[c], int(d) * periods + int(p))
            for c, d, p in sections.get("UNAVAILABILITY_CONSTRAINTS", [])
        },
    )


def _conflicts(ctt: Ctt) -> list[set[int]]:
    """Per course, the courses it may not share a period with (teacher or curriculum)."""
    out: list[set[int]] = [set() for _ in ctt.courses]
    for q in ctt.curricula:
        for a in q:
            out[a].update(b for b in q if b != a)
    for a, ca in enumerate(ctt.courses):
        for b, cb in enumerate(ctt.courses):
            if a != b and ca[1] == cb[1]:
                out[a].add(b)
    return out


def greedy(ctt: Ctt) -> dict[tuple[int, int], int]:
    """(course, period) -> room: hardest courses first, each lecture on the least used day in
    the smallest free room that holds it (else the largest free one)."""
    n_periods = ctt.days * ctt.periods
    conflicts = _conflicts(ctt)
    at: dict[tuple[int, int], int] = {}
    busy: dict[int, set[int]] = {p: set() for p in range(n_periods)}  # period -> courses there
    room_busy: set[tuple[int, int]] = set()
    order = sorted(
        range(len(ctt.courses)), key=lambda c: -(ctt.courses[c][2] * (1 + len(conflicts[c])))
    )
    rooms = sorted(range(len(ctt.rooms)), key=lambda r: ctt.rooms[r][1])
    for c in order:
        students = ctt.courses[c][4]
        for _ in range(ctt.courses[c][2]):
            days_used = {p // ctt.periods for (cc, p) in at if cc == c}
            options = [
                p
                for p in range(n_periods)
                if (c, p) not in ctt.unavailable
                and (c, p) not in at
                and not (busy[p] & conflicts[c])
                and any((p, r) not in room_busy for r in rooms)
            ]
            if not options:
                break
            options.sort(key=lambda p: (p // ctt.periods in days_used, p))
            p = options[0]
            free = [r for r in rooms if (p, r) not in room_busy]
            fits = [r for r in free if ctt.rooms[r][1] >= students]
            r = fits[0] if fits else free[-1]
            at[(c, p)] = r
            busy[p].add(c)
            room_busy.add((p, r))
    return at


def solve(ctt: Ctt, time_limit: float, workers: int, seed: int = 0) -> list[str]:
    """Solution lines ``course room day period`` (empty when no timetable was found)."""
    per_day = ctt.periods
    n_periods = ctt.days * per_day
    n_courses, n_rooms = len(ctt.courses), len(ctt.rooms)
    m = cp_model.CpModel()
    x = {
        (c, p, r): m.new_bool_var(f"x{c}_{p}_{r}")
        for c in range(n_courses)
        for p in range(n_periods)
        if (c, p) not in ctt.unavailable
        for r in range(n_rooms)
    }
    at = {
        (c, p): [x[c, p, r] for r in range(n_rooms)]
        for c in range(n_courses)
        for p in range(n_periods)
        if (c, p, 0) in x
    }
    for c in range(n_courses):
        m.add(sum(v for p in range(n_periods) for v in at.get((c, p), [])) == ctt.courses[c][2])
    for vs in at.values():
        m.add(sum(vs) <= 1)
    for p in range(n_periods):
        for r in range(n_rooms):
            m.add(sum(x[c, p, r] for c in range(n_courses) if (c, p, r) in x) <= 1)
    teachers: dict[str, list[int]] = {}
    for c, course in enumerate(ctt.courses):
        teachers.setdefault(course[1], []).append(c)
    groups = [g for g in teachers.values() if len(g) > 1] + ctt.curricula
    occ: dict[tuple[int, int], cp_model.LinearExprT] = {}
    for gi, group in enumerate(groups):
        for p in range(n_periods):
            load = sum(v for c in group for v in at.get((c, p), []))
            m.add(load <= 1)
            if gi >= len(groups) - len(ctt.curricula):
                occ[gi, p] = load
    cost: list[cp_model.LinearExprT] = []
    for (c, _p, r), v in x.items():
        over = ctt.courses[c][4] - ctt.rooms[r][1]
        if over > 0:
            cost.append(over * v)
    for c in range(n_courses):
        used_days = []
        for d in range(ctt.days):
            y = m.new_bool_var(f"y{c}_{d}")
            day = range(d * per_day, d * per_day + per_day)
            m.add(y <= sum(v for p in day for v in at.get((c, p), [])))
            used_days.append(y)
        short = m.new_int_var(0, ctt.courses[c][3], f"short{c}")
        m.add(short >= ctt.courses[c][3] - sum(used_days))
        cost.append(5 * short)
        rooms_used = []
        for r in range(n_rooms):
            u = m.new_bool_var(f"u{c}_{r}")
            for p in range(n_periods):
                if (c, p, r) in x:
                    m.add(u >= x[c, p, r])
            rooms_used.append(u)
        cost.append(sum(rooms_used) - 1)
    first_curriculum = len(groups) - len(ctt.curricula)
    for q in range(len(ctt.curricula)):
        gi = first_curriculum + q
        for p in range(n_periods):
            here = occ[gi, p]
            near = []
            if p % per_day > 0:
                near.append(occ[gi, p - 1])
            if p % per_day < per_day - 1:
                near.append(occ[gi, p + 1])
            iso = m.new_bool_var(f"iso{q}_{p}")
            m.add(iso >= here - sum(near))
            cost.append(2 * iso)
    m.minimize(sum(cost))
    for (c, p), r in greedy(ctt).items():
        if (c, p, r) in x:
            m.add_hint(x[c, p, r], True)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return []
    return [
        f"{ctt.courses[c][0]} {ctt.rooms[r][0]} {p // per_day} {p % per_day}"
        for (c, p, r), v in x.items()
        if solver.boolean_value(v)
    ]

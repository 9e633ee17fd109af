"""A plan's costs, rule breaks and explanation in a coordinator's words (HTML for the side
panel), and a move's cost difference term by term."""

from __future__ import annotations

import html
from collections.abc import Mapping

from trainer_app.scheduling.rules import Rule, amount
from trainer_app.scheduling.scenario import Plan, Scenario
from trainer_app.services.planning_verdict import (
    STATUS_WORDS,
    CheckedPlan,
    bound_words,
    competing_words,
    suggestion_words,
    unplaced_words,
)
from trainer_app.ui.palette import error_colour
from trainer_app.ui.plan.terms import words


def signed(value: float) -> str:
    return f"{value:+g}" if value else "±0"


def delta_text(cost_delta: Mapping[str, float]) -> str:
    """ "Cost +3 (Avoid gaps for cohorts +2, Keep each course in one room +1)"."""
    total = cost_delta.get("total", sum(v for k, v in cost_delta.items() if k != "total"))
    parts = [
        f"{words(term).setting} {signed(value)}"
        for term, value in cost_delta.items()
        if term != "total" and value
    ]
    return f"Cost {signed(total)}" + (f" ({', '.join(parts)})" if parts else "")


def placed_text(scenario: Scenario, plan: Plan) -> str:
    """ "3 of 3 sessions placed", naming the published sessions the plan fits around."""
    context = {o.id for o in scenario.offerings if o.published}
    ours = sum(o.sessions for o in scenario.offerings if o.id not in context)
    placed = sum(1 for a in plan.assignments if a.offering not in context)
    around = sum(o.sessions for o in scenario.offerings if o.id in context)
    text = f"{placed} of {ours} sessions placed"
    return text + (f", around {around} published" if around else "")


def plan_html(checked: CheckedPlan, title: str = "") -> str:
    """The side panel: status, cost and how far it can be from the best possible, the cost per
    term, the runs left out (each with its honest status), and any other broken rule."""
    scenario, plan = checked.scenario, checked.plan
    cost, units = plan.cost, checked.units
    status = STATUS_WORDS[plan.status]
    heading = html.escape(title or plan.name or status)
    parts = [
        f"<h3>{heading}</h3>",
        f"<p>{html.escape(status)} · {placed_text(scenario, plan)} · total cost "
        f"<b>{cost.get('total', 0):g}</b>, {html.escape(bound_words(plan))}</p>",
        *_left_out(checked),
        "<table cellspacing='0' cellpadding='3' width='100%'>"
        "<tr><th align='left'>What the planner weighs</th><th align='right'>Cost</th></tr>",
    ]
    terms = list(scenario.active_terms) + [
        t for t in cost if t != "total" and t not in scenario.active_terms
    ]
    for term in terms:
        said = words(term)
        detail = amount(term, units[term]) if term in units else ""
        weight = scenario.weight(term)
        parts.append(
            f"<tr><td>{html.escape(said.setting)}<br><small style='color:gray'>"
            f"{html.escape(detail)}{' × ' if detail else 'weight '}{weight:g}</small></td>"
            f"<td align='right' valign='top'>{cost.get(term, 0):g}</td></tr>"
        )
    parts.append("</table>")
    broken = checked.rule_breaks
    if broken:
        colour = error_colour().name()
        parts.append(f"<h4 style='color:{colour}'>Breaks {len(broken)} hard rule(s)</h4><ul>")
        parts += [f"<li>{html.escape(m)}</li>" for m in broken[:SHOWN]]
        if len(broken) > SHOWN:
            parts.append(f"<li>… and {len(broken) - SHOWN} more</li>")
        parts.append("</ul>")
    if plan.explanation and not checked.left_out:
        parts.append("<h4>Why</h4><ul>")
        parts += [f"<li>{html.escape(line)}</li>" for line in plan.explanation]
        parts.append("</ul>")
    return "".join(parts)


SHOWN = 50  # rule breaks listed; the rest counted


def _left_out(checked: CheckedPlan) -> list[str]:
    """Each run the plan leaves out: "Cannot be placed: …" (proven) or "Not placed within the
    time given: …", what competes for it and what to try. A plan saved before the planner gave
    these verdicts shows its explanation lines instead."""
    out = checked.left_out
    if not out:
        return []
    colour = error_colour().name()
    parts = [f"<h4 style='color:{colour}'>Left out: {len(out)} run(s)</h4><ul>"]
    given = {run.offering: run for run in checked.plan.unplaced}
    if not given:
        sessions = _unplaced_sessions(checked.plan)
        parts += [
            f"<li><b>{html.escape(o)}</b>: {sessions[o]} session(s) not placed</li>" for o in out
        ]
        parts.append("</ul>")
        if checked.plan.explanation:
            parts.append("<p><b>Why</b></p><ul>")
            parts += [f"<li>{html.escape(line)}</li>" for line in checked.plan.explanation]
            parts.append("</ul>")
        return parts
    for offering in out:
        run = given.get(offering)
        if run is None:
            parts.append(f"<li><b>{html.escape(offering)}</b>: not placed</li>")
            continue
        more = [w for w in (competing_words(run), suggestion_words(run)) if w]
        tail = "".join(f"<br><small>{html.escape(w)}</small>" for w in more)
        said = html.escape(unplaced_words(run))
        parts.append(f"<li><b>{html.escape(offering)}</b>: {said}{tail}</li>")
    parts.append("</ul>")
    return parts


def _unplaced_sessions(plan: Plan) -> dict[str, int]:
    count: dict[str, int] = {}
    for v in plan.hard_violations:
        if v.get("rule") == Rule.UNPLACED and v.get("offering") is not None:
            count[str(v["offering"])] = count.get(str(v["offering"]), 0) + 1
    return count

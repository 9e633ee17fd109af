"""A plan's costs, rule breaks and explanation in a coordinator's words (HTML for the side
panel), and a move's cost difference term by term."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from trainer_app.scheduling.scenario import Plan, Scenario
from trainer_app.ui.palette import error_colour
from trainer_app.ui.plan.terms import amount, words

STATUS_WORDS = {
    "optimal": "Best possible plan",
    "feasible": "Workable plan",
    "partial": "Partial plan: some runs could not be placed",
    "infeasible": "No workable plan",
    "unknown": "Plan",
}


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


def violation_messages(plan: Plan, checked: Any) -> list[str]:
    if checked is not None:
        return [str(v.message) for v in checked.hard_violations]
    return [str(v.get("message", v)) for v in plan.hard_violations]


def placed_text(scenario: Scenario, plan: Plan) -> str:
    """ "3 of 3 sessions placed", naming the published sessions the plan fits around."""
    context = {o.id for o in scenario.offerings if o.published}
    ours = sum(o.sessions for o in scenario.offerings if o.id not in context)
    placed = sum(1 for a in plan.assignments if a.offering not in context)
    around = sum(o.sessions for o in scenario.offerings if o.id in context)
    text = f"{placed} of {ours} sessions placed"
    return text + (f", around {around} published" if around else "")


def plan_html(scenario: Scenario, plan: Plan, checked: Any = None, title: str = "") -> str:
    """The side panel: status, the cost per term, rule breaks and the planner's explanation."""
    cost: Mapping[str, float] = checked.cost if checked is not None else plan.cost
    units: Mapping[str, float] = checked.units if checked is not None else {}
    heading = html.escape(title or plan.name or STATUS_WORDS.get(plan.status, "Plan"))
    parts = [
        f"<h3>{heading}</h3>",
        f"<p>{html.escape(STATUS_WORDS.get(plan.status, plan.status))} · "
        f"{placed_text(scenario, plan)} · total cost <b>{cost.get('total', 0):g}</b></p>",
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
    broken = violation_messages(plan, checked)
    if broken:
        colour = error_colour().name()
        parts.append(f"<h4 style='color:{colour}'>Breaks {len(broken)} hard rule(s)</h4><ul>")
        parts += [f"<li>{html.escape(m)}</li>" for m in broken[:50]]
        if len(broken) > 50:
            parts.append(f"<li>… and {len(broken) - 50} more</li>")
        parts.append("</ul>")
    if plan.explanation:
        parts.append("<h4>Why</h4><ul>")
        parts += [f"<li>{html.escape(line)}</li>" for line in plan.explanation]
        parts.append("</ul>")
    return "".join(parts)

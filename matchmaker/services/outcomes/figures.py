"""The dashboard's figures in the reader's language: a title, a caption, a note on the filters
it leaves aside, the plot's kind and its data table.

Cells of a table are typed (the XLSX keeps them so): ``int`` counts, ``float`` shares (0-1,
columns listed in ``Table.shares``), ``date`` days, ``str`` labels. A count that could point at
a company goes through ``privacy.small_count``: 1 and 2 become the text "<3" (``shown``).
Call the functions inside a request or ``force_locale`` block.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from matchmaker.choices import country_name
from matchmaker.models import FOLLOWUP_STAGES
from matchmaker.services.outcomes.dashboard import ATTENDANCE, FUNNEL, IGNORES, SUPPLY_DEMAND, Dashboard, SessionRow
from matchmaker.services.outcomes.pipeline import stage_label
from matchmaker.services.outcomes.privacy import is_small, small_count
from matchmaker.services.programme.common import pick_text

KINDS = ("line", "heatmap", "hbar", "bars", "stacked")


def shown(n: int) -> int | str:
    """A count as an aggregate shows it: the number, or "<3" for 1 and 2."""
    return small_count(n) if is_small(n) else n


@dataclass
class Table:
    """A figure's data: header and rows of typed cells; *shares* are the columns holding 0-1 shares."""

    header: list[str]
    rows: list[list]
    shares: set[int] = field(default_factory=set)


@dataclass
class Figure:
    """One plot with everything said around it."""

    key: str
    kind: str  # one of KINDS
    title: str
    caption: str  # what the plot shows (the alt text starts with it)
    note: str  # which filters it leaves aside ("" when it applies all of them)
    table: Table
    value_label: str = ""  # the axis of the values

    @property
    def alt(self) -> str:
        """Alt text: the caption and where the figures are."""
        return _("%(caption)s The table next to the chart gives every figure.", caption=self.caption)


def session_name(row: SessionRow, lang: str) -> str:
    """A session as people read it: its name in *lang* (or the next language), else its day."""
    return pick_text(row.names, lang).text or row.day.isoformat()


def funnel_labels() -> dict[str, str]:
    """The funnel's steps in the current language."""
    return {"suggested": _("Suggested pairs"), "requested": _("Meeting request sent"), "accepted": _("Request accepted"),
            "scheduled": _("Meeting scheduled"), "held": _("Meeting held"), "followed": _("Follow-up recorded")}


def attendance_labels() -> dict[str, str]:
    """What happened to published meetings, in the current language."""
    return {"held": _("Held"), "no-show": _("No-show"), "cancelled": _("Cancelled"), "scheduled": _("Not marked yet")}


def supply_labels() -> dict[str, str]:
    """The heat map's columns (who offers or needs), in the current language."""
    return {"jp-offers": _("Japanese offers"), "vn-needs": _("Vietnamese needs"),
            "vn-offers": _("Vietnamese offers"), "jp-needs": _("Japanese needs")}


def _note(key: str, board: Dashboard) -> str:
    left = [name for name in IGNORES[key] if name in board.filters.active]
    if not left:
        return ""
    names = {"day": _("day"), "session": _("session"), "category": _("cooperation area")}
    return _("This figure does not apply the %(filters)s filter.", filters=" / ".join(names[n] for n in left))


def registrations(board: Dashboard) -> Figure:
    """Approved companies registered up to each day, by country."""
    groups = [country_name("JP"), country_name("VN"), _("Other countries")]
    rows = [[day, *(shown(counts[g]) for g in ("JP", "VN", "other"))] for day, counts in board.registrations]
    return Figure("registrations", "line", _("Registrations over time by country"),
                  _("Line chart of approved companies registered up to each day (UTC), one line per country."),
                  _note("registrations", board), Table([_("Day (UTC)"), *groups], rows), _("Number of companies"))


def supply(board: Dashboard, lang: str) -> Figure:
    """Companies offering and needing each area, Japanese and Vietnamese."""
    labels = supply_labels()
    rows = [[area.names[lang], *(shown(area.supply[c]) for c in SUPPLY_DEMAND)] for area in board.areas]
    return Figure("supply", "heatmap", _("Supply and demand by cooperation area"),
                  _("Heat map of companies per cooperation area: Japanese offers against Vietnamese needs, "
                    "and Vietnamese offers against Japanese needs."),
                  _note("supply", board), Table([_("Cooperation area"), *labels.values()], rows), _("Number of companies"))


def funnel(board: Dashboard) -> Figure:
    """From suggested pairs to recorded follow-up."""
    labels = funnel_labels()
    rows = [[labels[step], shown(board.funnel[step])] for step in FUNNEL]
    return Figure("funnel", "hbar", _("From suggestion to follow-up"),
                  _("Bar chart of company pairs at each step: suggested, meeting requested, request accepted, "
                    "meeting scheduled, meeting held, follow-up recorded."),
                  _note("funnel", board), Table([_("Step"), _("Pairs")], rows), _("Pairs"))


def schedule(board: Dashboard, lang: str) -> Figure:
    """Per session: meetings against capacity, and the generator's score against its bound."""
    rows = [[session_name(row, lang), row.slots, row.tables, row.meetings, row.fill, row.quality]
            for row in board.sessions]
    header = [_("Session"), _("Slots"), _("Tables"), _("Published meetings"), _("Fill"), _("Score against the bound")]
    return Figure("schedule", "bars", _("Schedule fill and quality per session"),
                  _("Bar chart per session of the share of table slots filled and of the schedule's score as a share "
                    "of the best possible (the bound the generator computed)."),
                  _note("schedule", board), Table(header, rows, shares={4, 5}), _("Share"))


def attendance(board: Dashboard, lang: str) -> Figure:
    """Per session: held, no-show, cancelled and unmarked published meetings."""
    labels = attendance_labels()
    rows = [[session_name(row, lang), *(shown(row.attendance[s]) for s in ATTENDANCE)] for row in board.sessions]
    return Figure("attendance", "stacked", _("Attendance and no-shows per session"),
                  _("Stacked bar chart per session of published meetings held, missed (no-show), cancelled and "
                    "not marked yet."),
                  _note("attendance", board), Table([_("Session"), *labels.values()], rows), _("Number of meetings"))


def ratings(board: Dashboard) -> Figure:
    """How many feedbacks gave each rating."""
    rows = [[str(n), shown(board.ratings[n])] for n in range(1, 6)]
    return Figure("ratings", "bars", _("Meeting ratings"),
                  _("Bar chart of the ratings companies gave their held meetings, from 1 (not useful) to 5 (very "
                    "useful)."),
                  _note("ratings", board), Table([_("Rating"), _("Feedbacks")], rows), _("Feedbacks"))


def pipeline(board: Dashboard) -> Figure:
    """Pairs that reached each follow-up stage (or a later one)."""
    rows = [[stage_label(stage), shown(board.reached[stage])] for stage in FOLLOWUP_STAGES]
    return Figure("pipeline", "hbar", _("Follow-up pipeline by stage"),
                  _("Bar chart of company pairs that reached each follow-up stage or a later one."),
                  _note("pipeline", board), Table([_("Stage"), _("Pairs")], rows), _("Pairs"))


def areas(board: Dashboard, lang: str) -> Figure:
    """Pairs per cooperation area and furthest follow-up stage."""
    rows = [[area.names[lang], *(shown(area.stages[s]) for s in FOLLOWUP_STAGES)] for area in board.areas]
    return Figure("areas", "heatmap", _("Follow-up pipeline by cooperation area"),
                  _("Heat map of company pairs per cooperation area and the furthest follow-up stage they reached."),
                  _note("areas", board), Table([_("Cooperation area"), *map(stage_label, FOLLOWUP_STAGES)], rows),
                  _("Pairs"))


def all_figures(board: Dashboard, lang: str) -> list[Figure]:
    """Every figure of the dashboard, in page order."""
    return [registrations(board), supply(board, lang), funnel(board), schedule(board, lang),
            attendance(board, lang), ratings(board), pipeline(board), areas(board, lang)]


def summary(board: Dashboard) -> Table:
    """The report's first page: companies, meetings held, follow-ups by stage, MoUs, proposals."""
    rows = [[_("Companies taking part (approved)"), sum(board.companies.values())]]
    rows += [[_("Companies from %(country)s", country=country_name(code)), board.companies[code]] for code in ("JP", "VN")]
    rows += [[_("Companies from other countries"), board.companies["other"]],
             [_("Meetings held"), board.meetings_held]]
    rows += [[_("Pairs that reached: %(stage)s", stage=stage_label(stage)), shown(board.reached[stage])]
             for stage in FOLLOWUP_STAGES]
    rows += [[_("MoUs or NDAs signed (pairs)"), shown(board.reached["agreement"])],
             [_("Project proposals (pairs)"), shown(board.reached["proposal"])]]
    return Table([_("Figure"), _("Value")], rows)


def area_table(board: Dashboard, lang: str) -> Table:
    """The report's table per cooperation area (the plan's points 2a-2j and 3)."""
    labels = supply_labels()
    header = [_("Cooperation area"), *labels.values(), _("Meetings held"), _("Pairs following up"),
              _("MoUs or NDAs signed (pairs)"), _("Project proposals (pairs)")]
    rows = []
    for area in board.areas:
        mou = sum(area.stages[s] for s in FOLLOWUP_STAGES[FOLLOWUP_STAGES.index("agreement"):])
        proposals = sum(area.stages[s] for s in FOLLOWUP_STAGES[FOLLOWUP_STAGES.index("proposal"):])
        rows.append([area.names[lang], *(shown(area.supply[c]) for c in SUPPLY_DEMAND), shown(area.meetings_held),
                     shown(area.pairs_following), shown(mou), shown(proposals)])
    return Table(header, rows)

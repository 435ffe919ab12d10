"""Labels of the schedule's codes (reasons, run states, stages, methods) in the viewer's language."""

from flask_babel import lazy_gettext as _l

from matchmaker.choices import JOB_STATUS_LABELS

REASON_LABELS = {
    "no_common_free_slot": _l("no free slot in common"),
    "no_table": _l("no table free"),
    "over_cap": _l("over a company's maximum of meetings"),
    "forbidden": _l("the pair is forbidden"),
    "unknown_company": _l("a company is not taking part"),
    "infeasible": _l("it cannot fit with the other required meetings"),
    "no_interpreter": _l("no interpreter who speaks both sides' languages is free when both companies are"),
}
IDLE_LABELS = {
    "left_out": _l("left out of this session by the organisers"),
    "no_wish": _l("asked for no meetings in this session"),
    "unavailable": _l("unavailable in every slot"),
    "met_earlier": _l("meets all its partners in another session"),
    "no_offers": _l("no offers or needs, so no partner was suggested"),
    "no_partner": _l("no suitable partner was found"),
    "no_room": _l("no slot or table was left for its partners"),
    "no_table": _l("every table was taken in the slots it could use"),
    "removed": _l("its meetings were removed by hand"),
    "no_interpreter": _l("no interpreter was free for its partners when they could meet"),
}
STATUS_LABELS = JOB_STATUS_LABELS
STAGE_LABELS = {
    "prepare": _l("Reading the data"),
    "bound": _l("Computing the upper bound"),
    "greedy": _l("Building the baseline"),
    "select": _l("Choosing the meetings"),
    "assign": _l("Giving slots and tables"),
    "repair": _l("Improving the schedule"),
    "exact": _l("Solving exactly"),
    "report": _l("Writing the report"),
    "done": _l("Finished"),
}
METHOD_LABELS = {"optimal": _l("Optimal (fair first, then best score)"), "greedy": _l("Greedy (fast baseline)")}


def stage_label(stage: str) -> str:
    """The stage's label, or the code itself for a stage this list does not know."""
    label = STAGE_LABELS.get(stage)
    return str(label) if label is not None else stage

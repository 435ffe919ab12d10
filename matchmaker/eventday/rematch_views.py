"""Same-day re-matching pages: the organiser's event-day overview of a session, and the companies'
answers to replacement proposals (shown on their agenda through ``eventday/rematch_agenda.html``)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from matchmaker.access import company_required, organiser_required
from matchmaker.eventday.blueprint import bp
from matchmaker.eventday.rematch_forms import AbsentForm, AnswerForm, ConfirmAllForm, DecideForm
from matchmaker.extensions import db
from matchmaker.forms import attach_error, flash_errors
from matchmaker.models import Company, MatchSession, ReplacementProposal, ScheduledMeeting
from matchmaker.services.eventday import rematch, replacements
from matchmaker.services.eventday.clock import event_now
from matchmaker.services.eventday.rematch_overview import overview
from matchmaker.services.schedule.instance import left_out
from matchmaker.services.validation import ValidationError

REASON_LABELS = {
    "no-show": lambda: _("did not come"),
    "cancelled": lambda: _("cancelled"),
    "not-checked-in": lambda: _("not checked in before the first meeting"),
    "organiser": lambda: _("marked absent by the organisers"),
}
PROPOSAL_LABELS = {
    "proposed": lambda: _("waiting"),
    "confirmed": lambda: _("confirmed"),
    "declined": lambda: _("declined"),
    "expired": lambda: _("expired"),
}


def _absent_form(ms: MatchSession) -> AbsentForm:
    form = AbsentForm(prefix="absent")
    published = (ScheduledMeeting.session_id == ms.id) & (ScheduledMeeting.state == "published")
    in_session = select(ScheduledMeeting.company_low).where(published).union(
        select(ScheduledMeeting.company_high).where(published))
    excluded = left_out(db.session, ms.id)
    companies = db.session.scalars(select(Company).where(Company.id.in_(in_session), Company.status == "approved")
                                   .order_by(Company.name))
    form.company.choices = [(c.id, c.name) for c in companies if c.id not in excluded]
    return form


def _render(ms: MatchSession, form: AbsentForm):
    view = overview(db.session, ms)
    return render_template("eventday/rematch_overview.html", ms=ms, view=view, form=form,
                           confirm_form=ConfirmAllForm(prefix="all"), decide_form=DecideForm(prefix="decide"),
                           slots={s.id: s for s in ms.slots}, tables={t.id: t for t in ms.tables},
                           REASON_LABELS=REASON_LABELS, PROPOSAL_LABELS=PROPOSAL_LABELS,
                           event_clock=event_now() if current_app.config.get("EVENT_CLOCK_OFFSET") else None)


@bp.route("/sessions/<id:session_id>/")
@organiser_required
def session_day(session_id: int):
    """The session on the day: absences, freed meetings, proposals; companies late for check-in are swept first."""
    ms = db.get_or_404(MatchSession, session_id)
    swept = rematch.sweep_not_checked_in(db.session, ms, config=current_app.config)
    db.session.commit()
    if swept:
        flash(ngettext("%(num)d company had not checked in before its first meeting and is now marked absent.",
                       "%(num)d companies had not checked in before their first meeting and are now marked absent.",
                       len(swept)), "info")
    return _render(ms, _absent_form(ms))


@bp.post("/sessions/<id:session_id>/absent")
@organiser_required
def mark_absent(session_id: int):
    """Mark a company absent from a time; its later meetings are freed and replacements proposed."""
    ms = db.get_or_404(MatchSession, session_id)
    form = _absent_form(ms)
    if form.validate_on_submit():
        if form.company.data not in dict(form.company.choices):
            form.company.errors = [_("Choose a company of this session.")]
            return _render(ms, form), 400
        try:
            from_time = rematch.parse_local_time(ms, form.from_time.data)
            result = rematch.mark_absent(db.session, form.company.data, ms.id, from_time, "organiser", current_user,
                                         config=current_app.config)
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            attach_error(form, error)
            return _render(ms, form), 400
        flash(_("Meetings freed: %(freed)d. Replacement meetings proposed: %(proposals)d.",
                freed=len(result.freed), proposals=len(result.proposals)), "success")
        return redirect(url_for("eventday.session_day", session_id=ms.id))
    flash_errors(form)
    return redirect(url_for("eventday.session_day", session_id=ms.id))


@bp.post("/sessions/<id:session_id>/confirm-all")
@organiser_required
def confirm_all(session_id: int):
    """Make every open proposal of the session a meeting (stale ones expire)."""
    ms = db.get_or_404(MatchSession, session_id)
    if ConfirmAllForm(prefix="all").validate_on_submit():
        done = replacements.confirm_all(db.session, ms.id, current_user)
        db.session.commit()
        flash(_("Replacement meetings confirmed: %(made)d. Proposals that had expired: %(expired)d.",
                made=done.made, expired=done.expired), "success")
    return redirect(url_for("eventday.session_day", session_id=ms.id))


@bp.post("/proposals/<id:proposal_id>/decide")
@organiser_required
def decide(proposal_id: int):
    """The organiser confirms or declines one proposal."""
    proposal = db.get_or_404(ReplacementProposal, proposal_id)
    form = DecideForm(prefix="decide")
    if form.validate_on_submit():
        if form.confirm.data:
            made = replacements.make_meeting(db.session, proposal, current_user)
            message = _("Replacement meeting confirmed.") if made else _("This proposal has expired: the slot has started or someone took the place.")
        else:
            rematch.decline(db.session, proposal.id, current_user, config=current_app.config)
            message = _("Proposal declined.")
        db.session.commit()
        flash(message, "success" if proposal.status != "expired" else "error")
    return redirect(url_for("eventday.session_day", session_id=proposal.session_id))


@bp.post("/proposals/<id:proposal_id>/answer")
@company_required
def answer(proposal_id: int):
    """A company accepts or declines a replacement meeting proposed to it."""
    form = AnswerForm(prefix=f"p{proposal_id}")
    if form.validate_on_submit():
        try:
            if form.accept.data:
                status = replacements.accept(db.session, proposal_id, current_user)
            else:
                status = rematch.decline(db.session, proposal_id, current_user, config=current_app.config)
        except LookupError:
            abort(404)
        except PermissionError:
            abort(403)
        db.session.commit()
        flash(_ANSWERED.get(status, lambda: _("This proposal has expired: the slot has started or someone took the place."))(),
              "success" if status in _ANSWERED else "error")
    return redirect(url_for("agenda.index"))


_ANSWERED = {
    "proposed": lambda: _("Accepted. The meeting is made as soon as your partner accepts too."),
    "confirmed": lambda: _("The replacement meeting is on your agenda."),
    "declined": lambda: _("Proposal declined."),
}


@bp.app_context_processor
def replacement_offers():
    """In templates: ``replacement_offers()``, the signed-in company's open proposals, and ``answer_form(id)``."""

    def offers():
        if not current_user.is_authenticated or current_user.company_id is None:
            return []
        return replacements.open_for_company(db.session, current_user.company_id)

    return {"replacement_offers": offers, "answer_form": lambda pid: AnswerForm(prefix=f"p{pid}")}

"""Badges: the organisers' badge page (Latin names, more people, revoke, re-issue), the event's and
a company's badge PDFs; a company's own badge PDF and, on its agenda, its QR codes."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.access import company_required, organiser_required
from matchmaker.eventday.badge_forms import BadgeActionForm, LatinNameForm, PersonForm
from matchmaker.eventday.blueprint import bp
from matchmaker.extensions import db
from matchmaker.forms import apply_action, flash_errors, submit_form
from matchmaker.models import Company
from matchmaker.services.eventday import badge_print, badges as badge_svc
from matchmaker.urls import query_int


def _pdf(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def _page(company: Company):
    """Back to the badge page, on the page and at the section of *company*."""
    page = badge_svc.page_of(db.session, company)
    return redirect(url_for("eventday.badges", page=page if page > 1 else None, _anchor=f"company-{company.id}"))


def _approved_company(company_id: int) -> Company:
    company = db.get_or_404(Company, company_id)
    if company.status != "approved":
        abort(404)
    return company


def _badge(badge_id: int):
    try:
        return badge_svc.managed_badge(db.session, badge_id)
    except LookupError:
        abort(404)


@bp.route("/badges/")
@organiser_required
def badges():
    """Every approved company with its people's badges; badges missing for contacts are made here."""
    badge_svc.ensure_badges(db.session)
    db.session.commit()
    text, page = request.args.get("q", "")[:200], query_int("page", 1)
    rows, total = badge_svc.badge_page(db.session, text, page)
    latin_forms = {b.id: LatinNameForm(prefix=f"b{b.id}", data={"name_latin": b.name_latin})
                   for row in rows for b in row.badges}
    person_forms = {row.company.id: PersonForm(prefix=f"c{row.company.id}") for row in rows}
    return render_template("eventday/badge_list.html", rows=rows, latin_forms=latin_forms, person_forms=person_forms,
                           base_url=badge_print.public_base_url(), text=text, page=page, total=total,
                           pages=max(1, -(-total // badge_svc.PAGE_SIZE)))


@bp.post("/badges/<id:badge_id>/latin")
@organiser_required
def set_latin(badge_id: int):
    """Save a corrected Latin name, or say what is wrong with it."""
    badge = _badge(badge_id)
    form = LatinNameForm(prefix=f"b{badge.id}")
    if submit_form(form, lambda: badge_svc.set_latin_name(db.session, badge, form.name_latin.data)):
        flash(_("Latin name saved: %(name)s", name=badge.name_latin), "success")
    else:
        flash_errors(form)
    return _page(badge.company)


@bp.post("/badges/company/<id:company_id>/people")
@organiser_required
def add_person(company_id: int):
    """A badge for another person of the company."""
    company = _approved_company(company_id)
    form = PersonForm(prefix=f"c{company.id}")
    badge = submit_form(form, lambda: badge_svc.add_person(db.session, company, form.name.data, form.name_latin.data))
    if badge:
        flash(_("Badge made for %(name)s.", name=badge.name), "success")
    else:
        flash_errors(form)
    return _page(company)


# the two actions that change a badge's QR code: what the confirm page asks, and what is done
ACTIONS = {
    "revoke": (lambda name: _("Revoke the badge of %(name)s?", name=name),
               lambda: _("Its QR code stops checking anyone in, printed or on a phone. You can re-issue the badge later."),
               lambda: _("Revoke"), badge_svc.revoke_badge, lambda name: _("Badge revoked: %(name)s", name=name)),
    "reissue": (lambda name: _("Re-issue the badge of %(name)s?", name=name),
                lambda: _("The badge gets a new QR code. Copies printed before and the code on the company's agenda stop working: print the badge again."),
                lambda: _("Re-issue"), badge_svc.reissue_badge,
                lambda name: _("Badge re-issued: %(name)s. Print it again.", name=name)),
}


def _badge_action(badge_id: int, action: str):
    """GET (or a post without ``confirm``) asks on a confirm page; the confirmed post acts."""
    badge = _badge(badge_id)
    title, message, button, act, done = ACTIONS[action]
    form = BadgeActionForm()
    if request.method == "GET" or not form.confirm.data:
        return render_template(
            "confirm.html", confirm_title=title(badge.name), confirm_message=message(),
            details=[badge.company.name, badge.name_latin or badge.name],
            confirm_action=url_for(f"eventday.{action}", badge_id=badge.id), confirm_button=button(),
            cancel_url=url_for("eventday.badges", _anchor=f"company-{badge.company_id}"))
    if form.validate_on_submit():
        apply_action(lambda: act(db.session, badge), done(badge.name))
    return _page(badge.company)


@bp.route("/badges/<id:badge_id>/revoke", methods=["GET", "POST"])
@organiser_required
def revoke(badge_id: int):
    """Ask, then revoke: the badge's QR code stops checking anyone in."""
    return _badge_action(badge_id, "revoke")


@bp.route("/badges/<id:badge_id>/reissue", methods=["GET", "POST"])
@organiser_required
def reissue(badge_id: int):
    """Ask, then re-issue: a new QR code; every copy printed before stops working."""
    return _badge_action(badge_id, "reissue")


@bp.route("/badges/badges.pdf")
@organiser_required
def event_pdf():
    """Every working badge of every approved company, A4 sheets with crop marks."""
    badge_svc.ensure_badges(db.session)
    db.session.commit()
    every = [b for row in badge_svc.badge_overview(db.session) for b in row.live]
    return _pdf(badge_print.badges_pdf(every, _("Badges")), "badges.pdf")


def _company_pdf(company: Company) -> Response:
    badge_svc.ensure_badges(db.session, [company])
    db.session.commit()
    live = badge_svc.company_badges(db.session, company)
    if not live:
        abort(404)
    return _pdf(badge_print.badges_pdf(live, _("Badges: %(name)s", name=company.name)), f"badges-{company.id}.pdf")


@bp.route("/badges/company/<id:company_id>.pdf")
@organiser_required
def company_pdf(company_id: int):
    """One company's working badges."""
    return _company_pdf(_approved_company(company_id))


@bp.route("/my-badges.pdf")
@company_required
def my_pdf():
    """The signed-in company's own badges (only once it is approved)."""
    if current_user.company.status != "approved":
        abort(404)
    return _company_pdf(current_user.company)


@bp.app_context_processor
def agenda_badges():
    """In templates: ``my_badges()``, the signed-in company's working badges with their QR codes
    (made for its contact when missing), for ``eventday/badge_agenda.html``."""

    def mine() -> list[tuple]:
        if not current_user.is_authenticated or current_user.company is None:
            return []
        company = current_user.company
        if company.status != "approved":
            return []
        if badge_svc.ensure_badges(db.session, [company]):
            db.session.commit()
        return [(badge, badge_print.qr_svg(badge_print.checkin_url(badge), badge.name_latin or badge.name))
                for badge in badge_svc.company_badges(db.session, company)]

    return {"my_badges": mine}

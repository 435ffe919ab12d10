"""Organiser page of a session's online meetings: where their video links come from."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.access import organiser_required
from matchmaker.extensions import db
from matchmaker.forms import submit_form
from matchmaker.models import MatchSession
from matchmaker.schedule.forms import VideoForm
from matchmaker.services.schedule import video_settings

bp = Blueprint("schedule_online", __name__, url_prefix="/<lang_code>/admin/schedule")


@bp.route("/<id:session_id>/video", methods=["GET", "POST"])
@organiser_required
def video(session_id: int):
    """Choose none, a template or a pool; bad input is shown on its field and nothing is saved."""
    ms = db.get_or_404(MatchSession, session_id)
    form = VideoForm()
    if request.method == "GET":
        form.source.data, form.template.data, form.pool.data = ms.video_source, ms.video_template, ms.video_pool
    saved = submit_form(form, lambda: video_settings.save_video_settings(
        db.session, current_user, ms.id, form.source.data or "", form.template.data or "", form.pool.data or ""))
    if saved is not None:
        flash(_("Video settings saved. They apply to the online meetings of the next generated draft."), "success")
        return redirect(url_for("schedule_online.video", session_id=ms.id))
    return render_template("schedule/video.html", ms=ms, form=form, capacity=video_settings.video_capacity(ms))

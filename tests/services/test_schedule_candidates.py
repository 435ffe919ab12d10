"""Candidate pairs come from the real matching (embedding model): scores and the need/offer behind them."""

import pytest

from matchmaker.extensions import db
from matchmaker.models import Opportunity
from matchmaker.services import agenda
from matchmaker.services.schedule.instance import suggested_pairs
from matchmaker.services.schedule.publish import publish_schedule
from tests.schedule_helpers import company_user, generate, meetings, new_session, organiser

pytestmark = pytest.mark.model


def test_generation_schedules_suggested_partners_with_what_the_match_is_about(app, ctx, make_company, make_opportunity):
    hp = make_company(name="Hải Phòng Urban Environment", country="VN", languages="vi")
    need = make_opportunity(hp, kind="need", language="vi", categories=("waste-to-energy",),
                            title="Cần giải pháp đốt rác phát điện 500 tấn/ngày")
    kk = make_company(name="北九州エコエナジー", country="JP", languages="ja")
    offer = make_opportunity(kk, kind="offer", language="ja", categories=("waste-to-energy",),
                             title="ストーカ式ごみ焼却発電プラント（500トン/日）")
    ms_id = new_session()
    found = suggested_pairs(db.session, app.config, None)
    key = (min(hp, kk), max(hp, kk))
    assert key in found and 0 < found[key].score <= 1
    assert (found[key].need_id, found[key].offer_id) == (need, offer)
    assert generate(app, ms_id, candidates=suggested_pairs) == "done"
    assert [m.pair for m in meetings(ms_id)] == [key]
    publish_schedule(db.session, organiser(), ms_id)
    db.session.commit()
    [item] = agenda.agenda_items(db.session, company_user(hp), extra_sources=[])
    assert item.need == db.session.get(Opportunity, need) and item.offer == db.session.get(Opportunity, offer)

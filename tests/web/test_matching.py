"""Suggestions with the real model, the meetings page, the organiser's match view and the CLI.

These tests embed real Japanese, Vietnamese and English texts with the bundled model.
"""

import json

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import (Company, HiddenSuggestion, MeetingRequest, Opportunity, OpportunityEmbedding, OpportunityVersion,
                               PairRule, User)
from tests.conftest import csrf_from, translated, translated_plural, user_email
from tests.webforms import submit

pytestmark = pytest.mark.model


@pytest.fixture
def event(make_company, make_opportunity):
    """A Vietnamese city with a waste problem, a Japanese WtE builder, and two distractors."""
    hp = make_company(name="Hải Phòng Urban Environment", country="VN", languages="vi")
    make_opportunity(hp, kind="need", language="vi", categories=("waste-to-energy",),
                     title="Bãi rác Tràng Cát sắp đầy, cần giải pháp đốt rác phát điện 500 tấn/ngày",
                     description="Thành phố cần xử lý rác sinh hoạt chưa phân loại mà vẫn thu hồi năng lượng.")
    kk = make_company(name="北九州エコエナジー", country="JP", languages="ja")
    make_opportunity(kk, kind="offer", language="ja", categories=("waste-to-energy", "jcm"),
                     title="ストーカ式ごみ焼却発電プラント（500トン/日）",
                     description="都市ごみを焼却して発電し、埋立量とメタン排出を削減します。")
    h2 = make_company(name="大阪水素", country="JP", languages="ja,en")
    make_opportunity(h2, kind="offer", language="ja", categories=("hydrogen",),
                     title="水素燃料電池フォークリフト", description="倉庫や港湾で使える燃料電池車両を提供します。")
    sg = make_company(name="Lion City Solar", country="SG", languages="en")
    make_opportunity(sg, kind="offer", language="en", categories=("renewable-energy",),
                     title="Rooftop solar leasing for factories", description="Zero-capex rooftop PV with a 20-year PPA.")
    return {"hp": hp, "kk": kk, "h2": h2, "sg": sg}


def test_vietnamese_need_finds_japanese_offer_with_reasons(client, app, event, login):
    login(user_email(app, event["hp"]), lang="vi")
    html = client.get("/vi/matches/").get_data(as_text=True)
    first = html.index("北九州エコエナジー")
    assert first < html.index("大阪水素") and first < html.index("Lion City Solar")
    assert "ストーカ式ごみ焼却発電プラント" in html  # the offer that drove it
    assert translated(app, "vi", "Interpreter needed: no common language") in html  # vi vs ja
    assert "<meter" in html
    with app.app_context():
        assert db.session.scalar(select(OpportunityEmbedding.model_id)).startswith("multilingual-e5-small@")


def test_a_version_in_the_readers_language_is_matched_and_shown(client, app, event, login):
    """The Japanese offer written again in Vietnamese: both texts get a vector, and the reasons
    show each text in the reader's language when there is one."""
    with app.app_context():
        offer = db.session.scalar(select(Opportunity).where(Opportunity.company_id == event["kk"]))
        offer.versions.append(OpportunityVersion(
            language="vi", title="Nhà máy đốt rác phát điện lò ghi (500 tấn/ngày)",
            description="Đốt rác sinh hoạt để phát điện, giảm chôn lấp và phát thải mê-tan."))
        db.session.commit()
        offer_id = offer.id
    login(user_email(app, event["hp"]), lang="vi")
    html = client.get("/vi/matches/").get_data(as_text=True)
    assert html.index("北九州エコエナジー") < html.index("大阪水素")
    assert "Nhà máy đốt rác phát điện lò ghi (500 tấn/ngày)" in html
    japanese = client.get("/ja/matches/").get_data(as_text=True)
    assert "ストーカ式ごみ焼却発電プラント" in japanese and "lò ghi (500 tấn/ngày)" not in japanese
    with app.app_context():
        stored = db.session.scalars(select(OpportunityEmbedding.language).where(OpportunityEmbedding.opportunity_id == offer_id))
        assert sorted(stored) == ["ja", "vi"]


def test_hide_and_show_again(client, app, event, login):
    login(user_email(app, event["hp"]))
    submit(client, "/en/matches/", f'form[action="/en/matches/{event["kk"]}/hide"]')
    with app.app_context():
        assert db.session.get(HiddenSuggestion, (event["hp"], event["kk"])) is not None
    assert "北九州エコエナジー" not in client.get("/en/matches/").get_data(as_text=True)
    assert "北九州エコエナジー" in client.get("/en/matches/?hidden=1").get_data(as_text=True)


def test_filters_by_country(client, app, event, login):
    login(user_email(app, event["hp"]))
    html = client.get("/en/matches/?country=SG").get_data(as_text=True)
    assert "Lion City Solar" in html and "北九州エコエナジー" not in html


def test_company_without_items_is_told_to_add_one(client, app, make_company, event, login):
    empty = make_company(name="Empty Co", country="VN")
    login(user_email(app, empty))
    html = client.get("/en/matches/").get_data(as_text=True)
    assert "Add at least one offer or need to get suggestions." in html


def test_request_accept_flow_through_pages(client, app, event, login):
    login(user_email(app, event["hp"]), lang="vi")
    suggestions = client.get("/vi/matches/")
    request_form = f'form[action="/vi/meetings/request/{event["kk"]}"]'
    response = submit(client, suggestions, request_form, fields={"message": "Xin chào"})
    assert response.headers["Location"] == "/vi/meetings/"
    assert translated(app, "vi", "Waiting for an answer") in client.get("/vi/meetings/").get_data(as_text=True)
    again = submit(client, suggestions, request_form, fields={"message": "again"})  # the same page, still open in another tab
    assert again.status_code == 302
    assert translated(app, "vi", "There is already an open meeting request between you and this company.") in \
        client.get("/vi/meetings/").get_data(as_text=True)
    submit(client, "/vi/meetings/", 'form[action$="/auth/logout"]')
    login(user_email(app, event["kk"]), lang="ja")
    inbox = client.get("/ja/meetings/")
    assert "Xin chào" in inbox.get_data(as_text=True)
    with app.app_context():
        request_id = db.session.scalar(select(MeetingRequest.id))
    answered = submit(client, inbox, f"#request-{request_id} form.accept", button=translated(app, "ja", "Accept"),
                      follow_redirects=True)
    assert translated(app, "ja", "Request accepted.") in answered.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MeetingRequest, request_id).status == "accepted"
    # an accepted pair is no longer suggested: they already meet
    assert "Hải Phòng Urban Environment" not in client.get("/ja/matches/").get_data(as_text=True)


def test_answering_someone_elses_request_is_404(client, app, event, login):
    from matchmaker.services.meetings import request_meeting

    with app.app_context():
        from matchmaker.models import User

        user = db.session.scalar(select(User).where(User.company_id == event["hp"]))
        request_id = request_meeting(db.session, user, event["kk"], "hi", cap=5, expiry_hours=24).id
        db.session.commit()
    login(user_email(app, event["sg"]))
    page = client.get("/en/meetings/").get_data(as_text=True)
    # hostile input: the page shows no answer buttons for a request addressed to another company
    assert client.post(f"/en/meetings/{request_id}/answer", data={"csrf_token": csrf_from(page), "answer": "accept"}).status_code == 404


def test_organiser_overview_pins_and_forbids(client, app, event, make_organiser, login):
    login(make_organiser())
    html = client.get("/en/admin/matches?threshold=0").get_data(as_text=True)
    assert "北九州エコエナジー" in html and 'id="counts"' in html
    rule_form = "main form[novalidate]"
    submit(client, "/en/admin/matches", rule_form, fields={"company_a": event["hp"], "company_b": event["kk"], "rule": "forbid", "note": "conflict"})
    with app.app_context():
        assert db.session.scalar(select(PairRule.rule)) == "forbid"
    bad = submit(client, "/en/admin/matches", rule_form, fields={"company_a": event["hp"], "company_b": event["hp"], "rule": "pin"})
    assert "Choose two different companies." in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(PairRule.rule)) == "forbid"  # the bad form changed nothing


def test_cli_suggest_json(runner, app, event):
    result = runner.invoke(args=["matches", "suggest", "--top", "2", "--company", "Hải Phòng Urban Environment", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0]["company"] == "Hải Phòng Urban Environment" and rows[0]["partner"] == "北九州エコエナジー"
    assert rows[0]["reasons"][0]["offer"]["title"].startswith("ストーカ式")
    assert "waste-to-energy" in rows[0]["shared_categories"]
    assert len(rows) == 2 and rows[0]["score"] >= rows[1]["score"]
    # both sides say waste-to-energy and municipal waste (đốt rác phát điện, rác sinh hoạt ~ ごみ焼却発電, 都市ごみ)
    assert {c["key"] for c in rows[0]["shared_concepts"]} == {"waste-to-energy", "municipal-solid-waste"}
    ja = json.loads(runner.invoke(args=["matches", "suggest", "--top", "1", "--company", "Hải Phòng Urban Environment",
                                        "--json", "--lang", "ja"]).output)
    assert {c["label"] for c in ja[0]["shared_concepts"]} == {"廃棄物発電", "一般廃棄物"}
    missing = runner.invoke(args=["matches", "suggest", "--company", "Nobody"])
    assert missing.exit_code != 0 and "No approved company" in missing.output


def test_cli_embed_is_incremental(runner, app, event):
    first = runner.invoke(args=["matches", "embed"])
    assert "4 texts of offers/needs embedded" in first.output
    second = runner.invoke(args=["matches", "embed"])
    assert "All vectors are current" in second.output
    everything = runner.invoke(args=["matches", "embed", "--all"])
    assert "4 texts of offers/needs embedded" in everything.output


def test_missing_model_gives_clear_cli_error(runner, app, event, tmp_path):
    original = app.config["EMBEDDING_MODEL"]
    app.config["EMBEDDING_MODEL"] = str(tmp_path / "no-model-here")
    try:
        result = runner.invoke(args=["matches", "embed"])
    finally:
        app.config["EMBEDDING_MODEL"] = original
    assert result.exit_code != 0 and "make model" in result.output


def test_the_prepared_pool_is_kept_until_the_data_changes(client, app, event, make_company, make_opportunity, login):
    from matchmaker.services import matching as match_svc

    login(user_email(app, event["hp"]), lang="en")
    client.get("/en/matches/")  # embeds the event's texts: the vectors change, and so will the pool
    assert "北九州エコエナジー" in client.get("/en/matches/").get_data(as_text=True)
    first = match_svc._shared["pool"][1]
    client.get("/en/matches/?country=JP")
    assert match_svc._shared["pool"][1] is first  # nothing changed: the same prepared pool
    # a new company with an answering offer: the next page is computed on a new pool and shows it
    newcomer = make_company(name="Yokohama Waste Power", country="JP", languages="ja,en")
    make_opportunity(newcomer, kind="offer", language="en", categories=("waste-to-energy",),
                     title="Grate incinerator with power generation for 500 t/day of mixed municipal waste",
                     description="Burns unsorted household waste, generates electricity and cuts landfill methane.")
    html = client.get("/en/matches/").get_data(as_text=True)
    assert match_svc._shared["pool"][1] is not first
    assert "Yokohama Waste Power" in html and "Grate incinerator with power generation" in html
    # a company set back to pending leaves the pool
    with app.app_context():
        db.session.get(Company, newcomer).status = "pending"
        db.session.commit()
    assert "Yokohama Waste Power" not in client.get("/en/matches/").get_data(as_text=True)


def test_a_partner_deleted_after_the_pool_was_built_is_left_out(client, app, event, login):
    """Between the fingerprint and the page's own queries another request may delete a company:
    the page then shows the others, never an error."""
    from matchmaker.core import matching as core
    from matchmaker.services import matching as match_svc

    login(user_email(app, event["hp"]), lang="en")
    client.get("/en/matches/")  # embeds the event's texts
    with app.app_context():
        shared = match_svc.shared_pool(db.session, app.config)
        me = shared.index_of[event["hp"]]
        found = core.suggest(shared.pool, match_svc.weights_from(app.config), top_k=5, companies=[me],
                             prepared=shared.prepared)[me]
        assert shared.index_of[event["kk"]] in [s.partner for s in found]
        db.session.delete(db.session.get(Company, event["kk"]))
        db.session.commit()
        snapshot, kept = match_svc._materialise(db.session, shared, found)
        names = [snapshot.companies[s.partner].name for s in kept]
        assert "北九州エコエナジー" not in names and len(kept) == len(found) - 1
        assert all(r.need_item in snapshot.texts and r.offer_item in snapshot.texts for s in kept for r in s.reasons)


@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_organiser_sees_offers_analysed_before_their_topics_changed(client, app, event, make_organiser, login, runner,
                                                                     monkeypatch, lang):
    """A topic removed after the analysis leaves the text's vector outdated: the organiser's page counts it
    (past the inline limit) until the analysis runs again."""
    from matchmaker.services import matching
    from matchmaker.services.concepts.edits import set_concept
    from matchmaker.services.concepts.items import concepts_by_opportunity, refresh_concepts

    login(make_organiser(), lang=lang)
    analysed = translated(app, lang, "Every offer and need has been analysed with the current model.")
    assert analysed in client.get(f"/{lang}/admin/matches?threshold=0").get_data(as_text=True)
    with app.app_context():
        offer = db.session.scalar(select(Opportunity).where(Opportunity.company_id == event["kk"]))
        refresh_concepts(db.session, [offer])
        key = concepts_by_opportunity(db.session, [offer.id])[offer.id][0]
        user = db.session.scalar(select(User).where(User.company_id == event["kk"]))
        set_concept(db.session, user, offer, key, present=False)
        db.session.commit()
    monkeypatch.setattr(matching, "INLINE_EMBED_LIMIT", 0)
    html = client.get(f"/{lang}/admin/matches?threshold=0").get_data(as_text=True)
    outdated = translated_plural(app, lang, "%(num)d offer or need was analysed before its topics last changed; analysing "
                                 "it again brings its matches up to date.", "%(num)d offers and needs were analysed before "
                                 "their topics last changed; analysing them again brings their matches up to date.", 1)
    assert outdated in html and analysed not in html
    assert "北九州エコエナジー" in html  # still matched, with its earlier vector
    assert runner.invoke(args=["matches", "embed"]).exit_code == 0
    html = client.get(f"/{lang}/admin/matches?threshold=0").get_data(as_text=True)
    assert analysed in html and outdated not in html

"""Organiser pages: approval, categories, import upload, export download."""

from datetime import datetime, timezone
import io

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Category, Company
from tests.conftest import csrf_from, translated
from tests.webforms import submit


def test_anonymous_is_sent_to_login(client):
    response = client.get("/ja/admin/companies")
    assert response.status_code == 302 and response.headers["Location"].startswith("/ja/auth/login")


def test_organiser_approves_company(client, app, make_company, make_organiser, login):
    company_id = make_company(name="Waiting Co", status="pending")
    login(make_organiser())
    page = client.get("/en/admin/companies?status=pending")
    assert "Waiting Co" in page.get_data(as_text=True)
    response = submit(client, page, f'form[action^="/en/admin/companies/{company_id}/status"]', button="Approve")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Company, company_id).status == "approved"
    assert "Waiting Co" in client.get("/en/companies/").get_data(as_text=True)


def test_bad_status_value_is_refused(client, app, make_company, make_organiser, login):
    company_id = make_company(status="pending")
    login(make_organiser())
    page = client.get("/en/admin/companies").get_data(as_text=True)
    # hostile input: the page offers only "approved" and "rejected"
    client.post(f"/en/admin/companies/{company_id}/status", data={"status": "vip", "csrf_token": csrf_from(page)})
    with app.app_context():
        assert db.session.get(Company, company_id).status == "pending"


def test_organiser_adds_and_renames_category(client, app, make_organiser, login):
    login(make_organiser())
    names = {"name_ja": "ブルーカーボン", "name_vi": "Carbon xanh lam", "name_en": "Blue carbon"}
    assert submit(client, "/en/admin/categories", "main form", fields={"key": "blue-carbon", **names}).status_code == 302
    with app.app_context():
        category = db.session.scalar(select(Category).where(Category.key == "blue-carbon"))
        assert category.name_ja == "ブルーカーボン"
        category_id = category.id
    submit(client, f"/en/admin/categories/{category_id}", fields={**names, "name_en": "Blue carbon (mangroves)"})
    with app.app_context():
        assert db.session.get(Category, category_id).name_en == "Blue carbon (mangroves)"


def test_category_key_errors(client, app, make_organiser, login):
    login(make_organiser())
    names = {"name_ja": "x", "name_vi": "x", "name_en": "x"}
    dup = submit(client, "/ja/admin/categories", fields={"key": "hydrogen", **names})
    assert translated(app, "ja", "A category with this key already exists.") in dup.get_data(as_text=True)
    bad = submit(client, "/ja/admin/categories", fields={"key": "Not OK!", **names})
    assert translated(app, "ja", "Use lower-case letters, digits and hyphens only.") in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Category.id))) == 17


CSV = (
    "company,country,city,sector,email,website,kind,title,description,categories,language\n"
    "Osaka Hydrogen KK,JP,Osaka,Energy,info@osaka-h2.example,https://osaka-h2.example,offer,水素燃料電池,定置用燃料電池,hydrogen,ja\n"
    ",,,,,,need,ベトナムの販売代理店,販売パートナーを探しています,hydrogen;finance,ja\n"
)


def _upload(client, name, data, lang="en", pending=False):
    return submit(client, f"/{lang}/admin/import", fields={"pending": True} if pending else {},
                  files={"file": (io.BytesIO(data), name)})


def test_upload_import_then_reimport_updates(client, app, make_organiser, login):
    login(make_organiser())
    assert _upload(client, "companies.csv", CSV.encode("utf-8-sig")).status_code == 302
    assert _upload(client, "companies.csv", CSV.encode("utf-8")).status_code == 302
    with app.app_context():
        companies = db.session.scalars(select(Company)).all()
        assert len(companies) == 1 and len(companies[0].opportunities) == 2
        assert companies[0].status == "approved"


def test_upload_reports_bad_rows_and_imports_nothing(client, app, make_organiser, login):
    login(make_organiser())
    bad = CSV + "Broken Co,XX,,,,,offer,Something,,hydrogen,en\nOther,VN,,,,,gift,T,,hydrogen,vi\n"
    response = _upload(client, "companies.csv", bad.encode(), lang="vi")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<td>4</td><td><code>country</code></td>" in html and "<td>5</td><td><code>kind</code></td>" in html
    assert translated(app, "vi", "Unknown country code “%(code)s”: use two letters such as JP or VN.", code="XX") in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Company.id))) == 0


def test_upload_wrong_type_and_encoding(client, app, make_organiser, login):
    login(make_organiser())
    html = _upload(client, "notes.txt", b"hello").get_data(as_text=True)
    assert "Only CSV (UTF-8) and XLSX files can be imported." in html
    html = _upload(client, "companies.csv", CSV.encode("shift_jis")).get_data(as_text=True)
    assert "The file is not in UTF-8." in html
    html = _upload(client, "companies.xlsx", b"not a zip").get_data(as_text=True)
    assert "This does not look like an XLSX file." in html


def _post_big(client, url, csrf):
    boundary = "matchmakerboundary"
    # hostile input: a body past the size limit, written by hand to be measured before it is read
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n').encode()
    body += b"x" * (10 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    return client.post(url, input_stream=io.BytesIO(body), content_length=len(body),
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_upload_far_over_limit_goes_back_to_its_form_with_the_message(client, app, make_organiser, login):
    login(make_organiser())
    page = client.get("/ja/admin/import").get_data(as_text=True)
    response = _post_big(client, "/ja/admin/import", csrf_from(page))
    assert response.status_code == 303 and response.headers["Location"] == "/ja/admin/import"
    again = client.get("/ja/admin/import").get_data(as_text=True)
    assert translated(app, "ja", "Files may be at most %(mb)d MB.", mb=5) in again
    assert translated(app, "ja", "Nothing was sent: choose a smaller file.") in again


def test_a_too_large_post_to_an_address_without_a_page_is_413_with_the_limit(client, app, make_company, make_organiser, login):
    company_id = make_company(status="pending")
    login(make_organiser())
    response = _post_big(client, f"/ja/admin/companies/{company_id}/status", csrf_from(client.get("/ja/admin/companies").get_data(as_text=True)))
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert translated(app, "ja", "File too large") in html and translated(app, "ja", "Files may be at most %(mb)d MB.", mb=5) in html


def test_export_downloads_csv_and_xlsx(client, app, make_company, make_opportunity, make_organiser, login):
    company = make_company(name="=cmd|' /C calc'!A0")
    make_opportunity(company, title="+SUM(1,2)")
    login(make_organiser())
    response = client.get("/en/admin/export.csv")
    today = datetime.now(timezone.utc).date().isoformat()
    assert response.headers["Content-Disposition"] == f'attachment; filename="companies-{today}.csv"'
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    body = response.data.decode("utf-8-sig")
    assert body.splitlines()[0] == ("company,country,city,sector,email,website,kind,title,description,categories,language,"
                                     "title_ja,description_ja,title_vi,description_vi,title_en,description_en")
    assert "'=cmd" in body and "'+SUM(1,2)" in body
    xlsx = client.get("/en/admin/export.xlsx")
    assert xlsx.data[:2] == b"PK" and "spreadsheetml" in xlsx.headers["Content-Type"]

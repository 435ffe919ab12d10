"""The upload limit (MATCHMAKER_UPLOAD_MAX_MB) is the one the field shows, the form answers and the
413 page says; a file a little too large brings the form back with everything else kept."""

import io

import pytest

from tests.conftest import translated
from tests.webforms import submit

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def multipart_in_memory(monkeypatch):
    """The test client spools bodies over 500 KB to a temporary file it never closes; keep them in memory."""
    import functools

    import werkzeug.test

    monkeypatch.setattr(werkzeug.test, "stream_encode_multipart",
                        functools.partial(werkzeug.test.stream_encode_multipart, use_tempfile=False))


@pytest.fixture
def limit(app):
    """Set the upload limit to 1 MB for the test (the request limit follows, as config.py sets it)."""
    saved = app.config["UPLOAD_MAX_MB"], app.config["MAX_CONTENT_LENGTH"]
    app.config["UPLOAD_MAX_MB"], app.config["MAX_CONTENT_LENGTH"] = 1, 2 * MB
    yield 1
    app.config["UPLOAD_MAX_MB"], app.config["MAX_CONTENT_LENGTH"] = saved


@pytest.mark.parametrize("url", ["/{lang}/admin/import", "/{lang}/admin/programme/import"])
@pytest.mark.parametrize("lang", ["ja", "vi", "en"])
def test_the_field_says_the_configured_limit_and_carries_it(organiser_client, app, limit, url, lang):
    html = organiser_client.get(url.format(lang=lang)).get_data(as_text=True)
    message = translated(app, lang, "Files may be at most %(mb)d MB.", mb=1)
    assert f'<small class="hint upload-limit">{message}</small>' in html
    assert f'data-max-bytes="{MB}"' in html and f'data-too-large="{message}"' in html
    assert "/static/js/upload-limit.js" in html


def test_a_file_a_little_too_large_brings_the_form_back_with_the_rest_kept(organiser_client, app, limit):
    csv = b"record,venue,room,capacity\n" + b"room,Hanoi Centre,Hall 1,200\n" * 40_000  # about 1.1 MB
    assert MB < len(csv) < 2 * MB
    response = submit(organiser_client, "/vi/admin/programme/import", "main form", fields={"allow_conflicts": "y"},
                      files={"file": (io.BytesIO(csv), "programme.csv")})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert translated(app, "vi", "Files may be at most %(mb)d MB.", mb=1) in html.split('class="error"')[1]
    (checkbox,) = [tag for tag in html.split("<input")[1:] if 'name="allow_conflicts"' in tag]
    assert " checked" in checkbox.split(">")[0]  # the box ticked before sending is still ticked


def test_a_file_within_the_limit_is_imported(organiser_client, app, limit):
    response = submit(organiser_client, "/en/admin/programme/import", "main form",
                      files={"file": (io.BytesIO(b"record,venue,room,capacity\nroom,Hanoi Centre,Hall 1,200\n"), "p.csv")})
    assert response.status_code == 302


def test_the_413_answer_names_the_same_limit(organiser_client, app, limit):
    body = b"x" * (3 * MB)
    response = organiser_client.post("/en/admin/programme/import", data={"file": (io.BytesIO(body), "big.csv")},
                                     content_type="multipart/form-data")
    assert response.status_code == 303
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Files may be at most 1 MB." in page and "Nothing was sent: choose a smaller file." in page


def test_the_speaker_photo_keeps_its_own_smaller_limit(organiser_client, app):
    html = organiser_client.get("/en/admin/programme/speakers/new").get_data(as_text=True)
    assert f'data-max-bytes="{2 * MB}"' in html and 'class="hint upload-limit"' not in html
    response = submit(organiser_client, "/en/admin/programme/speakers/new", "main form",
                      fields={"name": "Sato Kenichi", "affiliation_en": "Ministry of the Environment"},
                      files={"photo": (io.BytesIO(b"\xff" * (3 * MB)), "sato.jpg")})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "The photo is larger than 2 MB." in html
    assert 'value="Sato Kenichi"' in html and "Ministry of the Environment" in html  # what was typed is kept

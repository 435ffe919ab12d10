"""The form helper sends what a browser sends, and refuses what no browser could."""

import io
import json

import pytest
from flask import Flask, request

from tests.webforms import FormError, Page, submit

PAGE = """<html><body><nav><form method="post" action="/logout"><button>Log out</button></form></nav><main>
<form method="post" action="/echo?x=1" class="answer">
  <input type="hidden" name="csrf_token" value="tok">
  <input type="hidden" name="answer" value="accept">
  <input name="reason" maxlength="5" value="">
  <input name="off" value="no" disabled>
  <select name="country"><option value="">Choose</option><option value="JP">Japan</option><option value="VN" selected>Vietnam</option></select>
  <input type="checkbox" name="cat" value="a" checked><input type="checkbox" name="cat" value="b">
  <textarea name="msg">
two
lines</textarea>
  <button type="submit" name="go" value="yes">Send</button><button type="submit" name="go" value="no">Skip</button>
</form></main></body></html>"""

UPLOAD = """<main><form method="post" action="/echo" enctype="multipart/form-data">
<input type="file" name="file"><button>Upload</button></form></main>"""


@pytest.fixture
def echo():
    app = Flask(__name__)

    @app.post("/echo")
    def echo_view():
        files = {k: f.read().decode() for k, f in request.files.items()}
        return json.dumps({"form": list(request.form.items(multi=True)), "args": request.args.to_dict(), "files": files})

    return app.test_client()


def sent(response):
    return json.loads(response.get_data(as_text=True))


def test_sends_every_rendered_control_in_order_with_the_clicked_button(echo):
    body = sent(submit(echo, Page("/p", PAGE), fields={"reason": "busy"}, button="Skip"))
    assert body["args"] == {"x": "1"}
    assert body["form"] == [["csrf_token", "tok"], ["answer", "accept"], ["reason", "busy"],
                            ["country", "VN"], ["cat", "a"], ["msg", "two\nlines"], ["go", "no"]]


def test_choices_and_checkboxes_change_only_to_what_the_page_offers(echo):
    body = sent(submit(echo, Page("/p", PAGE), fields={"country": "JP", "cat": ["a", "b"]}))
    assert ["country", "JP"] in body["form"] and ["cat", "b"] in body["form"] and ["go", "yes"] in body["form"]
    for fields in ({"country": "FR"}, {"cat": ["z"]}, {"nope": "1"}, {"answer": "decline"}, {"off": "1"}, {"reason": "too long"}):
        with pytest.raises(FormError):
            submit(echo, Page("/p", PAGE), fields=fields)
    with pytest.raises(FormError):
        submit(echo, Page("/p", PAGE), button="Delete everything")


def test_files_go_only_through_a_multipart_file_field(echo):
    body = sent(submit(echo, Page("/u", UPLOAD), files={"file": (io.BytesIO(b"a,b"), "x.csv")}))
    assert body["files"] == {"file": "a,b"}
    with pytest.raises(FormError):
        submit(echo, Page("/p", PAGE), files={"file": (io.BytesIO(b"a"), "x.csv")})


def test_the_form_is_found_once_inside_main_or_by_selector():
    with pytest.raises(FormError):
        submit(None, Page("/p", "<main><form></form><form></form></main>"))


def test_a_name_sent_twice_or_a_repeated_id_is_refused(echo):
    """The defect of the meetings page: hidden_tag()'s empty "answer" and a hand-written one."""
    twice = PAGE.replace('<input type="hidden" name="answer" value="accept">',
                         '<input type="hidden" name="answer" value=""><input type="hidden" name="answer" value="accept">')
    with pytest.raises(FormError, match="answer"):
        submit(echo, Page("/p", twice))
    clash = PAGE.replace('name="reason"', 'name="answer"')  # a field and a hidden input of one name
    with pytest.raises(FormError, match="answer"):
        submit(echo, Page("/p", clash))
    with pytest.raises(FormError, match="element ids"):
        submit(echo, Page("/p", PAGE.replace("<main>", '<main><p id="x"></p><p id="x"></p>')))
    button = PAGE.replace('name="go" value="yes"', 'name="country" value="JP"')  # the button repeats a field
    with pytest.raises(FormError, match="country"):
        submit(echo, Page("/p", button), button="Send")

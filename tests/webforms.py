"""Submit the form a page rendered, as a browser would.

A web test that posts a form goes through :func:`submit`: it reads the form from the HTML the view
returned (its action, method, enctype and every successful control — hidden fields included, in
document order, duplicates kept) and sends exactly that, plus the name/value of the clicked
button. A test may change only fields the form has, to values a person could give them (a
``<select>`` only to one of its options, a checkbox only to one of its values); anything else
raises, so a test cannot post what no browser would. Hand-made data is for hostile-input tests.

Two guards run on every page :func:`submit` reads: the page has no duplicate element ids, and the
chosen form (with its clicked button) sends each name once unless the name belongs to a group of
checkboxes or a multiple select — a view reads one value, and a second one (a hand-written hidden
input next to ``hidden_tag()``'s) is either ignored or, worse, read instead of the meant one.

    response = submit(client, "/en/auth/login", fields={"email": ..., "password": ...})
    response = submit(client, page_html, "form.decline", fields={"reason": "No time"},
                      button="Decline")
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable
from urllib.parse import urlencode, urljoin, urlsplit

import lxml.html
from werkzeug.datastructures import MultiDict

TEXT_TYPES = {"text", "email", "password", "search", "tel", "url", "number", "date", "time",
              "datetime-local", "month", "week", "color", "range", "hidden", ""}


class FormError(AssertionError):
    """The test asked for something no browser could send from this page."""


@dataclass
class Page:
    """A rendered page: its URL (path and query) and HTML."""

    url: str
    html: str


def load(client, where) -> Page:
    """*where* as a :class:`Page`: a URL (fetched, must answer 200), a response, or a Page."""
    if isinstance(where, Page):
        return where
    if isinstance(where, str):
        response = client.get(where)
        if response.status_code != 200:
            raise FormError(f"GET {where} answered {response.status_code}, not a page with a form")
        return Page(where, response.get_data(as_text=True))
    request = where.request
    url = request.path + (("?" + request.query_string.decode()) if request.query_string else "")
    return Page(url, where.get_data(as_text=True))


def duplicate_ids(html: str) -> list[str]:
    """The element ids that occur more than once in *html*."""
    ids = Counter(e.get("id") for e in lxml.html.fromstring(html).iter() if isinstance(e.tag, str) and e.get("id") is not None)
    return sorted(ident for ident, count in ids.items() if count > 1)


def repeated_names(form, pairs: list[tuple[str, str]]) -> list[str]:
    """The names *pairs* send more than once where *form* means one value (not checkboxes, not a multiple select)."""
    counts = Counter(name for name, _ in pairs)
    return sorted(name for name, count in counts.items() if count > 1 and not _takes_several(form, name))


def _takes_several(form, name: str) -> bool:
    controls = [c for c in _controls(form) if c.get("name") == name]
    return all((c.tag == "input" and (c.get("type") or "").lower() == "checkbox")
               or (c.tag == "select" and c.get("multiple") is not None) for c in controls)


def check_page(page: Page) -> None:
    """Raise :class:`FormError` if *page* repeats an element id."""
    repeated = duplicate_ids(page.html)
    if repeated:
        raise FormError(f"{page.url} repeats the element ids {repeated}")


def check_all_forms(page: Page) -> None:
    """Raise :class:`FormError` if *page* repeats an id, or any of its forms, sent with any of its
    buttons, sends one name twice where the view reads one value."""
    check_page(page)
    for form in lxml.html.fromstring(page.html).iter("form"):
        pairs = _successful_values(form)
        for button in _buttons(form) or [None]:
            clicked = [(button.get("name"), button.get("value", ""))] if button is not None and button.get("name") else []
            repeated = repeated_names(form, pairs + clicked)
            if repeated:
                raise FormError(f"a form of {page.url} (action {form.get('action')!r}) sends several values for {repeated}")


def find_form(page: Page, selector: str | None = None, *, index: int | None = None, button: str | None = None):
    """The one form matching CSS *selector* (default: the forms inside ``<main>``); if several
    match, the one that has the submit *button* (label, name, ``name=value`` or id)."""
    doc = lxml.html.fromstring(page.html)
    forms = doc.cssselect(selector or "main form")
    if selector and forms and forms[0].tag != "form":  # a selector of something inside the form
        forms = [element for element in (f.getparent() for f in forms) for element in [_enclosing_form(element)] if element is not None]
    if index is not None:
        forms = forms[index:index + 1]
    if len(forms) > 1 and button is not None:  # several forms match: the one with the clicked button
        forms = [form for form in forms if _has_button(form, button)]
    if len(forms) != 1:
        raise FormError(f"{len(forms)} forms match {selector or 'main form'!r} on {page.url}")
    return forms[0]


def _enclosing_form(element):
    while element is not None and element.tag != "form":
        element = element.getparent()
    return element


def _controls(form) -> list:
    return [c for c in form.iter("input", "select", "textarea", "button") if c.get("name")]


def _successful_values(form) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser sends for *form* before a button is chosen."""
    pairs = []
    for control in _controls(form):
        if control.get("disabled") is not None:
            continue
        name, kind = control.get("name"), (control.get("type") or "").lower()
        if control.tag == "input":
            if kind in {"submit", "button", "reset", "image", "file"}:
                continue
            if kind in {"checkbox", "radio"}:
                if control.get("checked") is not None:
                    pairs.append((name, control.get("value", "on")))
                continue
            pairs.append((name, control.get("value", "")))
        elif control.tag == "textarea":
            text = control.text or ""
            pairs.append((name, text[1:] if text.startswith("\n") else text))
        elif control.tag == "select":
            options = control.findall(".//option")
            chosen = [o for o in options if o.get("selected") is not None]
            if not chosen and options and control.get("multiple") is None:
                chosen = options[:1]
            pairs.extend((name, _option_value(o)) for o in chosen)
    return pairs


def _option_value(option) -> str:
    value = option.get("value")
    return value if value is not None else (option.text_content() or "").strip()


def _set_field(form, pairs: list[tuple[str, str]], name: str, value: Any) -> list[tuple[str, str]]:
    """Replace *name*'s values in *pairs* by *value*, checking a person could enter it."""
    controls = [c for c in _controls(form) if c.get("name") == name and (c.get("type") or "").lower() not in {"submit", "button", "reset", "image", "file"}]
    if not controls:
        raise FormError(f"the form has no field {name!r} (fields: {sorted({c.get('name') for c in _controls(form)})})")
    if any(c.get("disabled") is not None for c in controls):
        raise FormError(f"field {name!r} is disabled")
    values = [] if value is None or value is False else list(value) if isinstance(value, (list, tuple, set)) else [value]
    first = controls[0]
    kind = (first.get("type") or "").lower()
    ticked = first.get("value", "on") if kind == "checkbox" and len(controls) == 1 else "on"
    values = [ticked if v is True else str(v) for v in values]  # True ticks a lone checkbox
    if first.tag == "select":
        allowed = {_option_value(o) for o in first.findall(".//option") if o.get("disabled") is None}
        _check_allowed(name, values, allowed)
        if len(values) > 1 and first.get("multiple") is None:
            raise FormError(f"select {name!r} takes one value")
    elif kind in {"checkbox", "radio"}:
        allowed = {c.get("value", "on") for c in controls}
        _check_allowed(name, values, allowed)
        if kind == "radio" and len(values) > 1:
            raise FormError(f"radio {name!r} takes one value")
    elif kind == "hidden":
        raise FormError(f"field {name!r} is hidden: a person cannot change it")
    elif len(values) != 1 and len(controls) == 1:
        raise FormError(f"field {name!r} takes one value")
    else:
        maxlength = first.get("maxlength")
        if maxlength and maxlength.isdigit() and len(values[0]) > int(maxlength):
            raise FormError(f"field {name!r} accepts at most {maxlength} characters")
    position = next((i for i, (n, _) in enumerate(pairs) if n == name), len(pairs))
    kept = [(n, v) for n, v in pairs if n != name]
    position = min(position, len(kept))
    return kept[:position] + [(name, v) for v in values] + kept[position:]


def _check_allowed(name: str, values: Iterable[str], allowed: set[str]) -> None:
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise FormError(f"{wrong} is not a choice of {name!r} (choices: {sorted(allowed)})")


def _buttons(form) -> list:
    found = []
    for control in form.iter("button", "input"):
        kind = (control.get("type") or ("submit" if control.tag == "button" else "text")).lower()
        if kind in {"submit", "image"} and control.get("disabled") is None:
            found.append(control)
    return found


def _button_label(control) -> str:
    return (control.text_content() if control.tag == "button" else control.get("value", "")).strip()


def _button_matches(control, button: str) -> bool:
    return button in {_button_label(control), control.get("name"), f"{control.get('name')}={control.get('value')}", control.get("id")}


def _has_button(form, button: str) -> bool:
    return any(_button_matches(control, button) for control in _buttons(form))


def _choose_button(form, button: str | None):
    buttons = _buttons(form)
    if button is None:
        if not buttons:
            return None  # a form sent with Enter
        return buttons[0]
    for control in buttons:
        if _button_matches(control, button):
            return control
    raise FormError(f"no submit button {button!r} (buttons: {[_button_label(b) for b in buttons]})")


def form_request(page: Page, selector: str | None = None, *, index: int | None = None, fields: dict | None = None,
                 button: str | None = None, files: dict | None = None) -> tuple[str, str, MultiDict, str | None]:
    """(method, url, data, content type) that a browser would send from this page's form."""
    form = find_form(page, selector, index=index, button=button)
    pairs = _successful_values(form)
    for name, value in (fields or {}).items():
        pairs = _set_field(form, pairs, name, value)
    clicked = _choose_button(form, button)
    if clicked is not None and clicked.get("name"):
        pairs.append((clicked.get("name"), clicked.get("value", "")))
    repeated = repeated_names(form, pairs)
    if repeated:
        raise FormError(f"the form sends several values for {repeated} on {page.url}: the view reads one")
    action = (clicked.get("formaction") if clicked is not None else None) or form.get("action") or page.url
    method = ((clicked.get("formmethod") if clicked is not None else None) or form.get("method") or "get").upper()
    url = urljoin("http://localhost" + page.url, action)
    parts = urlsplit(url)
    target = parts.path + (("?" + parts.query) if parts.query else "")
    enctype = form.get("enctype")
    data = MultiDict(pairs)
    for name, upload in (files or {}).items():
        if not form.cssselect(f'input[type=file][name="{name}"]'):
            raise FormError(f"the form has no file field {name!r}")
        if enctype != "multipart/form-data":
            raise FormError("the form is not multipart/form-data: a browser would not send the file")
        data.add(name, upload)
    return method, target, data, enctype


def submit(client, where, selector: str | None = None, *, index: int | None = None, fields: dict | None = None,
           button: str | None = None, files: dict | None = None, **kwargs):
    """Fill and submit a form of the page *where* (URL, response or :class:`Page`); return the response.

    *selector* is a CSS selector of the form (or of an element inside it; default ``main form``,
    which must match one form unless *index* picks one or only one of them has *button*).
    *fields* maps names to values (a list for several checkboxes; ``True`` ticks a lone checkbox;
    ``None``/``False`` unchecks). *button* is the clicked button's label, name, ``name=value`` or
    id (default: the form's first submit button). *files* maps file
    fields to ``(BytesIO, filename)``. Extra keyword arguments go to the test client
    (``follow_redirects=True``, ``headers=…``).
    """
    page = load(client, where)
    check_page(page)
    method, target, data, enctype = form_request(page, selector, index=index, fields=fields, button=button, files=files)
    if method == "GET":
        path, _, query = target.partition("?")
        query = "&".join(filter(None, [query, urlencode(list(data.items(multi=True)))]))
        return client.get(path + ("?" + query if query else ""), **kwargs)
    content_type = "multipart/form-data" if enctype == "multipart/form-data" or files else "application/x-www-form-urlencoded"
    return client.open(target, method=method, data=data, content_type=content_type, **kwargs)

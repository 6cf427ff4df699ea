"""Visitors for the loopback deployment: a browser-like client that sends
what a browser would over HTTPS (the Origin of a form it posts), and reads
forms back from pages."""

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

from tests.live_site import Patient, manage

ORIGIN = "https://127.0.0.1"

EDITOR_NAME, EDITOR_PASSWORD = "deploy-editor", "pw-for-tests-only"


def add_content_editor(env):
    """A member of the Content editors group, in the deployment's database."""
    manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import Group, User\n"
        f"editor = User.objects.create_user({EDITOR_NAME!r}, password={EDITOR_PASSWORD!r}, "
        "is_staff=True)\n"
        "editor.groups.add(Group.objects.get(name='Content editors'))",
        env=env,
    )


def sign_in_content_editor(port):
    editor = Visitor(port)
    status, _, page = editor.get("/admin/login/")
    assert status == 200, page[:500]
    status, headers, page = editor.post(
        "/admin/login/", {"username": EDITOR_NAME, "password": EDITOR_PASSWORD, "next": "/admin/"}
    )
    assert (status, headers.get("Location")) == (302, "/admin/"), page[:2000]
    return editor


class Visitor(Patient):
    """A Patient that posts forms as a browser does over HTTPS: with its
    Origin, and the CSRF token from its cookie."""

    def post(self, path, data, headers=None):
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        if "csrftoken" in self.cookies:
            fields.insert(0, ("csrfmiddlewaretoken", self.cookies["csrftoken"]))
        return self.request(
            "POST",
            path,
            body=urlencode(fields, doseq=True),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": ORIGIN,
                "Referer": ORIGIN + path,
            }
            | (headers or {}),
        )


class FormReader(HTMLParser):
    """What a browser would send back from one form, unchanged."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields = []
        self.select = None  # (name, multiple, options, chosen)
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or (not attrs.get("name") and tag != "option"):
            return
        kind = attrs.get("type", "text").lower()
        if tag == "input" and kind not in {"submit", "button", "file", "image", "reset"}:
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append((attrs["name"], attrs.get("value") or "on"))
            else:
                self.fields.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select":
            self.select = (attrs["name"], "multiple" in attrs, [], [])
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            self.select[2].append(value)
            if "selected" in attrs:
                self.select[3].append(value)
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            name, multiple, options, chosen = self.select
            if not chosen and not multiple and options:
                chosen = options[:1]
            self.fields.extend((name, value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea:
            # Browsers drop the newline that follows <textarea>.
            self.fields.append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None


def form_fields(page, form_id):
    """The form's fields as (name, value) pairs, as a browser sends them."""
    reader = FormReader(form_id)
    reader.feed(page)
    assert reader.fields, f"no form #{form_id} on the page"
    return reader.fields


def hidden_fields(page):
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page)
    }

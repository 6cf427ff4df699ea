"""Odd numbers and dates in any admin list's query, or as any object's
number, are answered, never with a server error: Python's int() fails on
digits like "²" and on thousands of digits, and dates near the calendar's
ends overflow."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db

ODD_VALUES = ["²", "9" * 5000, "99999999999999999999", "9999", "9999-12-31"]
# The list's own parameters: page, ordering, search, and a date drill-down.
LIST_PARAMETERS = ["p", "o", "q", "e", "all"]
DATE_PARAMETERS = ["year", "month", "day"]


def admin_url(model, view, *args):
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)
    except NoReverseMatch:
        return None


def test_odd_list_parameters_and_object_numbers_get_no_server_error(admin_client):
    admin_client.raise_request_exception = False
    answered = []
    for model, model_admin in admin.site._registry.items():
        changelist = admin_url(model, "changelist")
        if changelist is None:
            continue
        dated = getattr(model_admin, "date_hierarchy", None)
        parameters = LIST_PARAMETERS + [f"{dated}__{part}" for part in DATE_PARAMETERS if dated]
        for name in parameters:
            for value in ODD_VALUES:
                status = admin_client.get(changelist, {name: value}).status_code
                answered.append((model._meta.label, name, value[:20], status))
        if dated:
            last_day = {f"{dated}__year": "9999", f"{dated}__month": "12", f"{dated}__day": "31"}
            status = admin_client.get(changelist, last_day).status_code
            answered.append((model._meta.label, "last day", "9999-12-31", status))
        for value in ODD_VALUES:
            change = admin_url(model, "change", value)
            if change is not None:
                answered.append(
                    (model._meta.label, "change", value[:20], admin_client.get(change).status_code)
                )
    assert len(answered) > 300  # every admin, every parameter
    failures = [row for row in answered if row[3] >= 500]
    assert failures == [], failures

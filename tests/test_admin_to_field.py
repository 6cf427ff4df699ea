"""`?_to_field=` on any admin list or add page, naming any relation the
model has (forward or reverse, hidden ones included), is answered, never
with a server error: Django's admin fails on reverse relations."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db


def relation_names(model):
    return sorted(
        {field.name for field in model._meta.get_fields(include_hidden=True) if field.is_relation}
    )


def test_no_relation_named_as_to_field_gets_a_server_error(admin_client):
    admin_client.raise_request_exception = False
    answered = []
    for model in admin.site._registry:
        for view in ("changelist", "add"):
            try:
                url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")
            except NoReverseMatch:
                continue
            for name in relation_names(model):
                status = admin_client.get(url, {"_to_field": name}).status_code
                answered.append((model._meta.label, view, name, status))
    assert len(answered) > 100  # every admin, every relation
    assert [row for row in answered if row[3] >= 500] == []

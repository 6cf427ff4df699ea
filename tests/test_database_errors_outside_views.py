"""A database error after the view has run (a middleware saving the session
as the database server restarts) still gets the "please try again" page,
not the 500 page; other errors keep the 500 page."""

import pytest
from django.db import connection, transaction
from django.test import Client

from tests.test_database_faults import assert_try_again_page

FAILING_PATH = "/stretches/"


class DatabaseFailsAfterTheView:
    """After the view, runs a query the database refuses with an operational
    error, as saving the session does when the server has just gone away."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path == FAILING_PATH:
            with transaction.atomic(), connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SET LOCAL statement_timeout = 1")
                    cursor.execute("SELECT pg_sleep(1)")  # cancelled: an OperationalError
                else:
                    cursor.execute("SELECT * FROM table_that_is_gone")
        return response


class SomethingElseFailsAfterTheView(DatabaseFailsAfterTheView):
    def __call__(self, request):
        self.get_response(request)
        raise RuntimeError("not a database error")


@pytest.fixture
def failing_after_the_view(settings):
    def install(middleware):
        settings.MIDDLEWARE = [
            settings.MIDDLEWARE[0],
            f"{__name__}.{middleware.__name__}",
            *settings.MIDDLEWARE[1:],
        ]
        return Client(raise_request_exception=False)

    return install


@pytest.mark.django_db
def test_a_database_error_after_the_view_asks_the_patient_to_try_again(failing_after_the_view):
    client = failing_after_the_view(DatabaseFailsAfterTheView)
    response = client.get(FAILING_PATH)
    assert_try_again_page(response.status_code, response.headers, response.content.decode())


@pytest.mark.django_db
def test_any_other_error_after_the_view_is_still_a_server_error(failing_after_the_view):
    client = failing_after_the_view(SomethingElseFailsAfterTheView)
    response = client.get(FAILING_PATH)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()

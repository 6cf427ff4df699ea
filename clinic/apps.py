from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The project package as an app, for what belongs to the whole site: its
    settings record, the page cache, shared image handling and template tags."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "clinic"
    verbose_name = "Clinic site"

    def ready(self):
        from . import page_cache, unavailable_page
        from .models import SiteSettings

        # The clinic's name, logo and social links are in every page's header and footer.
        page_cache.register_content(SiteSettings)
        # Its phone, email and address are on the page nginx shows in an outage.
        unavailable_page.keep_current(SiteSettings)
        page_cache.connect_migrations()
        refuse_reverse_relations_as_admin_to_field()
        refuse_dates_past_the_calendar_in_admin_lists()


def refuse_reverse_relations_as_admin_to_field():
    """Django's admin answers 500 to `?_to_field=` naming a reverse relation
    (`ModelAdmin.to_field_allowed` reads `primary_key`, which a reverse
    relation lacks), on every model admin: Django's own, third parties' and
    ours. Only a concrete field can be one, so anything else is refused as
    Django refuses an unknown name (400)."""
    from django.contrib.admin import ModelAdmin
    from django.core.exceptions import FieldDoesNotExist

    djangos = ModelAdmin.to_field_allowed
    if getattr(djangos, "refuses_reverse_relations", False):
        return

    def to_field_allowed(self, request, to_field):
        try:
            field = self.opts.get_field(to_field)
        except FieldDoesNotExist:
            return False
        return field.concrete and djangos(self, request, to_field)

    to_field_allowed.refuses_reverse_relations = True
    ModelAdmin.to_field_allowed = to_field_allowed


def refuse_dates_past_the_calendar_in_admin_lists():
    """Django's admin answers 500 to a date drill-down the calendar cannot
    hold (`?created_at__year=9999`, or a year of 20 digits) on every list
    with a date hierarchy: `ChangeList.get_filters` turns a bad date into
    IncorrectLookupParameters, but not the OverflowError of a huge year, nor
    the ValueError of the year after 9999. Both are refused as the bad date
    is (a redirect to the list with ?e=1)."""
    from django.contrib.admin.options import IncorrectLookupParameters
    from django.contrib.admin.views.main import ChangeList

    djangos = ChangeList.get_filters
    if getattr(djangos, "refuses_dates_past_the_calendar", False):
        return

    def get_filters(self, request):
        try:
            return djangos(self, request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error

    get_filters.refuses_dates_past_the_calendar = True
    ChangeList.get_filters = get_filters

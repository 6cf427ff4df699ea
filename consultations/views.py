import logging
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from clinic.filled_pages_wsgi import answer_ahead_with, never_cached
from clinic.network import client_ip, client_network
from clinic.ratelimit import allow, parse_rate, period_name

from . import form_page
from .forms import CONTROL_CHARACTERS, ConsultationRequestForm, issue_form_token
from .notifications import store_request_and_notify
from .red_flags import Urgency, urgency_of

logger = logging.getLogger(__name__)

# What the thanks page tells the patient for each urgency (routine: nothing).
ADVICE_FOR_URGENCY = {
    Urgency.EMERGENCY: "emergency",
    Urgency.URGENT: "urgent",
    Urgency.DISCUSS_SOON: "discuss",
}


# The form and its re-renders hold health details: no cache may keep them.
@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters(), name="dispatch")
class ConsultationRequestView(FormView):
    """The consultation request form: store the request with its emails (the
    worker sends them), then redirect (post/redirect/get) to the thanks page."""

    form_class = ConsultationRequestForm
    template_name = "consultations/request_form.html"

    def get_initial(self):
        return {
            "stretch": self.request.GET.get("stretch", ""),
            "source_page": referring_page(self.request),
        }

    def get(self, request, *args, **kwargs):
        if request.GET.get("stretch"):
            return super().get(request, *args, **kwargs)
        # The empty form is the same for everyone but for three values:
        # rendered once per content version (consultations/form_page.py),
        # then answered ahead of Django's middleware (clinic/filled_pages_wsgi.py).
        page = form_page.empty_form_page(request, self._render_empty_form)
        return answer_ahead_with(empty_form_ahead)(_filled_in(request, page))

    def _render_empty_form(self, initial, extra_context):
        form = self.get_form_class()(initial=self.get_initial() | initial, page_path="")
        response = self.render_to_response(self.get_context_data(form=form, **extra_context))
        return response.render().content.decode()

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"page_path": self.request.get_full_path()[:500]}

    def form_valid(self, form):
        if form.is_spam:
            # Bots see the same answer as patients, so they learn nothing.
            logger.info("Dropped a consultation request that looked automated.")
            return redirect("consultations:thanks")
        consultation = form.build_request()
        if not consultation.is_stored_already and not allow(
            scope="consultation",
            key=client_network(client_ip(self.request)),
            rate=settings.CONSULTATION_RATE_LIMIT,
        ):
            logger.warning("Consultation requests rate-limited for one client.")
            return self.rate_limited(form)
        outcome = store_request_and_notify(consultation=consultation)
        return redirect(thanks_url(outcome.consultation.urgency))

    def rate_limited(self, form):
        """The form again, as the patient filled it in, saying that nothing
        was sent and how else to reach the clinic (and, when a warning sign
        was ticked, where to get care now)."""
        form.data = form.data.copy()
        form.data.pop("website", None)
        context = self.get_context_data(
            form=form,
            rate_limited=True,
            rate_period=period_name(settings.CONSULTATION_RATE_LIMIT),
            advice=ADVICE_FOR_URGENCY.get(urgency_of(form.red_flag_codes)),
        )
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(parse_rate(settings.CONSULTATION_RATE_LIMIT)[1])
        return response


def _filled_in(request, page):
    initial = {"form_token": issue_form_token(), "source_page": referring_page(request)}
    return page.response(request, form_page.visitor_values(request, initial))


def empty_form_ahead(request):
    """The empty form for `request`, as the view answers it, for a request
    that skipped the middleware (clinic/filled_pages_wsgi.py); None until this
    process has made the page for the current content version."""
    page = form_page.made_page(request)
    if page is None:
        return None
    response = _filled_in(request, page)
    never_cached(response)
    return response


def referring_page(request):
    """The path of the page on this site that linked to the form, if any.
    The header is the browser's (or anyone's) to fill: a value that is not a
    URL of this site counts as none."""
    try:
        referrer = urlsplit(request.META.get("HTTP_REFERER", ""))
    except ValueError:
        return ""
    if referrer.netloc != request.get_host() or CONTROL_CHARACTERS.search(referrer.path):
        return ""
    return referrer.path[:500]


def thanks_url(urgency):
    url = reverse("consultations:thanks")
    if urgency in ADVICE_FOR_URGENCY:
        url += "?" + urlencode({"advice": ADVICE_FOR_URGENCY[urgency]})
    return url


@never_cache
def thanks(request):
    advice = request.GET.get("advice")
    return render(
        request,
        "consultations/thanks.html",
        {"advice": advice if advice in ADVICE_FOR_URGENCY.values() else None},
    )


def privacy_notice(request):
    return render(
        request,
        "consultations/privacy.html",
        {
            "retention_months": settings.CONSULTATION_RETENTION_MONTHS,
            "data_protection_law": settings.DATA_PROTECTION_LAW,
            "data_protection_regulator": settings.DATA_PROTECTION_REGULATOR,
            "data_protection_regulator_url": settings.DATA_PROTECTION_REGULATOR_URL,
        },
    )

import logging
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from clinic.network import client_ip
from clinic.ratelimit import allow, parse_rate

from .forms import ConsultationRequestForm
from .notifications import store_request_and_notify
from .red_flags import Urgency

logger = logging.getLogger(__name__)

ADVICE_FOR_URGENCY = {Urgency.EMERGENCY: "emergency", Urgency.URGENT: "urgent"}


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

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"page_path": self.request.get_full_path()[:500]}

    def form_valid(self, form):
        if form.is_spam:
            # Bots see the same answer as patients, so they learn nothing.
            logger.info("Dropped a consultation request that looked automated.")
            return redirect("consultations:thanks")
        if not allow(
            scope="consultation", key=client_ip(self.request), rate=settings.CONSULTATION_RATE_LIMIT
        ):
            logger.warning("Consultation requests rate-limited for one client.")
            response = TemplateResponse(self.request, "429.html", status=429)
            response["Retry-After"] = str(parse_rate(settings.CONSULTATION_RATE_LIMIT)[1])
            return response
        consultation, _ = store_request_and_notify(consultation=form.build_request())
        return redirect(thanks_url(consultation.urgency))


def referring_page(request):
    """The path of the page on this site that linked to the form, if any."""
    referrer = urlsplit(request.headers.get("Referer", ""))
    if referrer.netloc != request.get_host():
        return ""
    return referrer.path[:500]


def thanks_url(urgency):
    url = reverse("consultations:thanks")
    if urgency in ADVICE_FOR_URGENCY:
        url += "?" + urlencode({"advice": ADVICE_FOR_URGENCY[urgency]})
    return url


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
        {"retention_months": settings.CONSULTATION_RETENTION_MONTHS},
    )

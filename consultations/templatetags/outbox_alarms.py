from django import template
from django.urls import reverse

from consultations.models import OutboxMessage

register = template.Library()


@register.inclusion_tag("admin/consultations/outbox_alarm_banner.html", takes_context=True)
def outbox_alarm_banner(context):
    """Undelivered emergency alerts, for staff who can see requests: shown on
    every admin page until the message is sent or the alarm dismissed."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("consultations.view_consultationrequest"):
        return {"alarms": []}
    alarms = list(OutboxMessage.objects.alarms().only("pk", "consultation_id", "attempts"))
    return {
        "alarms": alarms,
        "outbox_url": reverse("admin:consultations_outboxmessage_changelist")
        + "?alarm_raised_at__isnull=False",
    }

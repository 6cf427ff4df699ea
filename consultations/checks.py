from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def rate_limit_cache_is_shared(app_configs, **kwargs):
    """The consultation form's rate limit counts in the default cache; in
    local memory each worker process would count on its own."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The consultation form's rate limit is counted per process, not per site.",
                hint="Set REDIS_URL so that every worker shares the counts.",
                id="consultations.W001",
            )
        ]
    return []

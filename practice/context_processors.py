from django.utils.functional import SimpleLazyObject

from .contact import clinic_contact


def contact(request):
    """`contact`: the clinic's contact details (practice/contact.py), read only
    by pages that show them."""
    return {"contact": SimpleLazyObject(lambda: clinic_contact(request))}

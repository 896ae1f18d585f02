from django.conf import settings


def site(request):
    return {
        "contact_email": settings.CONTACT_EMAIL,
        "contact_phone": settings.CONTACT_PHONE,
        "minimum_age": settings.MINIMUM_AGE,
        "partner": getattr(request, "partner", None),
    }

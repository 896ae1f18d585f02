from django.urls import include, path

from mail import views

app_name = "mail"
urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("keep-subscribed/<str:token>/", views.keep_subscribed, name="keep_subscribed"),
    path("confirm-address/<str:token>/", views.confirm_address, name="confirm_address"),
]


def inbound_webhook_urlpatterns(esps: list[str]) -> list:
    """django-anymail's inbound webhooks of the given e-mail services, at
    /mail/inbound/<esp>/inbound/ (Mailgun also …/inbound_mime/). Each view checks its
    service's signature and the ANYMAIL_WEBHOOK_SECRET basic auth. Only configured
    services are routed: the others' views need settings or packages we lack."""
    from anymail import urls as anymail_urls

    wanted = {f"{esp}_inbound_webhook" for esp in esps}
    patterns = [pattern for pattern in anymail_urls.urlpatterns if pattern.name in wanted]
    if not patterns:
        return []
    return [path("mail/inbound/", include((patterns, "anymail")))]

from django.urls import include, path

from mail import views

app_name = "mail"
urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("keep-subscribed/<str:token>/", views.keep_subscribed, name="keep_subscribed"),
]

# django-anymail's inbound webhooks, one per e-mail service: /mail/inbound/<esp>/inbound/.
# Each checks its service's signature and the ANYMAIL_WEBHOOK_SECRET basic auth.
webhook_urlpatterns = [path("mail/inbound/", include("anymail.urls"))]

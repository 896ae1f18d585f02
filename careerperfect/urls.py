from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView

from careerperfect import views
from mail.urls import inbound_webhook_urlpatterns

urlpatterns = [
    path("", views.home, name="home"),
    path("contact/", views.contact, name="contact"),
    path("healthz", views.healthz, name="healthz"),
    path("account/", include("accounts.urls")),
    # allauth's own sessions page would end sessions without asking for the password
    # again; My privacy lists them and asks.
    path(
        "accounts/sessions/",
        login_required(RedirectView.as_view(pattern_name="accounts:privacy")),
    ),
    path("accounts/", include("allauth.urls")),
    path("", include("privacy.urls")),
    path("", include("feedback.urls")),
    path("contests/", include("contests.urls")),
    path("assessments/", include("assessments.urls")),
    path("", include("orders.urls")),
    path("resumes/", include("resumes.urls")),
    path("mail/", include("mail.urls")),
    *inbound_webhook_urlpatterns(settings.MAIL_INBOUND_WEBHOOKS),
    path("admin/", admin.site.urls),
]

if settings.BENCHMARK_PAGES:
    # The load benchmark's baseline page (bench/load.py); never on in a real deployment.
    urlpatterns.append(
        path("_bench/minimal/", TemplateView.as_view(template_name="bench/minimal.html"))
    )

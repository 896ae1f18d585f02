from django.contrib import admin
from django.urls import include, path

from careerperfect import views

urlpatterns = [
    path("", views.home, name="home"),
    path("contact/", views.contact, name="contact"),
    path("healthz", views.healthz, name="healthz"),
    path("account/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("privacy.urls")),
    path("resumes/", include("resumes.urls")),
    path("admin/", admin.site.urls),
]

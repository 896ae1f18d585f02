from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("privacy/", views.policy_current, name="policy"),
    path("cookies/", views.cookies, name="cookies"),
]

from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("privacy/", views.privacy_dashboard, name="privacy"),
    path("profile/", views.profile_edit, name="profile"),
    path("profile/delete/", views.profile_remove, name="profile_delete"),
    path("sessions/<int:session_id>/end/", views.session_end, name="session_end"),
    path("sessions/end-others/", views.sessions_end_others, name="sessions_end_others"),
    path("data-export/", views.data_export_new, name="data_export_new"),
    path("data-export/<uuid:public_id>/", views.data_export_detail, name="data_export"),
    path(
        "data-export/<uuid:public_id>/download/",
        views.data_export_download,
        name="data_export_download",
    ),
    path("unsent-form/discard/", views.unsent_form_discard, name="unsent_form_discard"),
    path("delete/", views.account_delete, name="delete"),
    path("deleted/", views.account_deleted, name="deleted"),
]

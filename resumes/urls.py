from django.urls import path

from resumes import views

app_name = "resumes"
urlpatterns = [
    path("", views.resume_list, name="list"),
    path("<uuid:public_id>/", views.workspace_detail, name="workspace"),
    path(
        "<uuid:public_id>/questionnaire/<int:step>/",
        views.questionnaire_step,
        name="questionnaire",
    ),
    path("<uuid:public_id>/upload/", views.file_upload, name="upload"),
    path("<uuid:public_id>/files/<uuid:file_id>/", views.file_download, name="file"),
    path(
        "<uuid:public_id>/files/<uuid:file_id>/delete/",
        views.file_delete,
        name="file_delete",
    ),
    path("<uuid:public_id>/review/", views.review, name="review"),
    path("<uuid:public_id>/share/", views.share, name="share"),
    path(
        "<uuid:public_id>/share/<uuid:authorization_id>/send/",
        views.share_again,
        name="share_again",
    ),
    path(
        "<uuid:public_id>/share/<uuid:authorization_id>/revoke/",
        views.share_revoke,
        name="share_revoke",
    ),
    path("shared/<str:token>/", views.shared_file, name="shared_file"),
]

from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.assessment_list, name="index"),
    path("<slug:code>/start/", views.sitting_begin, name="start"),
    path("sittings/<uuid:public_id>/", views.sitting_resume, name="resume"),
    path("sittings/<uuid:public_id>/page/<int:number>/", views.sitting_page_view, name="page"),
    path("sittings/<uuid:public_id>/result/", views.sitting_result, name="result"),
    path(
        "sittings/<uuid:public_id>/result/print/",
        views.sitting_result_print,
        name="result_print",
    ),
    path("sittings/<uuid:public_id>/status/", views.sitting_status, name="status"),
    path("sittings/<uuid:public_id>/retry/", views.sitting_retry, name="retry"),
    path("staff/sittings/<uuid:public_id>/", views.sitting_staff_result, name="staff_result"),
]

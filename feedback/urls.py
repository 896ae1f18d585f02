from django.urls import path

from feedback import views

app_name = "feedback"
urlpatterns = [
    path("feedback/", views.feedback_new, name="new"),
    path("feedback/thanks/", views.feedback_thanks, name="thanks"),
    path("feedback/mine/", views.feedback_mine, name="mine"),
    path("feedback/<uuid:public_id>/withdraw/", views.feedback_withdraw, name="withdraw"),
    path(
        "feedback/withdraw/<str:token>/", views.feedback_withdraw_by_link, name="withdraw_by_link"
    ),
    path("success-stories/", views.success_stories, name="success_stories"),
]

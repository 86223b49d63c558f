from django.urls import path

from ventanilla.risk.api import views

urlpatterns = [
    path("risk/profiles/", views.ProfileListCreateView.as_view(), name="api-risk-profiles"),
    path("risk/profiles/<int:pk>/", views.ProfileDetailView.as_view(), name="api-risk-profile"),
    path(
        "risk/profiles/<int:pk>/revise/",
        views.ProfileReviseView.as_view(),
        name="api-risk-profile-revise",
    ),
    path(
        "risk/profiles/<int:pk>/publish/",
        views.ProfilePublishView.as_view(),
        name="api-risk-profile-publish",
    ),
    path(
        "risk/profiles/<int:pk>/retire/",
        views.ProfileRetireView.as_view(),
        name="api-risk-profile-retire",
    ),
    path(
        "risk/declarations/<int:declaration_id>/assessment/",
        views.AssessmentView.as_view(),
        name="api-risk-assessment",
    ),
    path(
        "risk/assessments/<int:pk>/outcomes/",
        views.OutcomeCreateView.as_view(),
        name="api-risk-outcomes",
    ),
    path("risk/statistics/", views.StatisticsView.as_view(), name="api-risk-statistics"),
]

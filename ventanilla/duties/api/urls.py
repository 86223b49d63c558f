from django.urls import path

from ventanilla.duties.api import views

urlpatterns = [
    path(
        "declarations/<int:pk>/duties/",
        views.DeclarationDutiesView.as_view(),
        name="api-duties-declaration",
    ),
    path(
        "declarations/<int:pk>/duties/assessments/",
        views.AssessmentHistoryView.as_view(),
        name="api-duties-assessments",
    ),
    path(
        "declarations/<int:pk>/duties/finalise/",
        views.FinaliseView.as_view(),
        name="api-duties-finalise",
    ),
    path(
        "duties/assessments/<int:pk>/",
        views.AssessmentDetailView.as_view(),
        name="api-duties-assessment",
    ),
]

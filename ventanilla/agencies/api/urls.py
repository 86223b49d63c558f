from django.urls import path

from ventanilla.agencies.api import views, views_requirements, views_trader

urlpatterns = [
    # --- officers ---------------------------------------------------------------------
    path("agencies/reviews/", views.QueueView.as_view(), name="api-agencies-reviews"),
    path(
        "agencies/reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="api-agencies-review"
    ),
    path(
        "agencies/reviews/<int:pk>/start/",
        views.ReviewStartView.as_view(),
        name="api-agencies-review-start",
    ),
    path(
        "agencies/reviews/<int:pk>/decide/",
        views.ReviewDecideView.as_view(),
        name="api-agencies-review-decide",
    ),
    path(
        "agencies/reviews/<int:pk>/information-requests/",
        views.ReviewInformationRequestView.as_view(),
        name="api-agencies-review-information-request",
    ),
    path(
        "agencies/reviews/<int:pk>/inspection/",
        views.ReviewInspectionView.as_view(),
        name="api-agencies-review-inspection",
    ),
    path(
        "agencies/inspections/next-slot/",
        views.NextSlotView.as_view(),
        name="api-agencies-inspection-next-slot",
    ),
    path(
        "agencies/inspections/<int:pk>/start/",
        views.InspectionStartView.as_view(),
        name="api-agencies-inspection-start",
    ),
    path(
        "agencies/inspections/<int:pk>/results/",
        views.InspectionResultView.as_view(),
        name="api-agencies-inspection-result",
    ),
    path(
        "agencies/inspections/<int:pk>/samples/",
        views.InspectionSampleView.as_view(),
        name="api-agencies-inspection-sample",
    ),
    path(
        "agencies/samples/<int:pk>/result/",
        views.SampleResultView.as_view(),
        name="api-agencies-sample-result",
    ),
    path(
        "agencies/second-tests/<int:pk>/result/",
        views.SecondTestResultView.as_view(),
        name="api-agencies-second-test-result",
    ),
    # --- traders and brokers ------------------------------------------------------------
    path(
        "agencies/information-requests/",
        views_trader.InformationRequestListView.as_view(),
        name="api-agencies-information-requests",
    ),
    path(
        "agencies/information-requests/<int:pk>/answer/",
        views_trader.InformationAnswerView.as_view(),
        name="api-agencies-information-answer",
    ),
    path(
        "agencies/declarations/<int:pk>/reviews/",
        views_trader.DeclarationReviewsView.as_view(),
        name="api-agencies-declaration-reviews",
    ),
    path(
        "agencies/samples/<int:pk>/second-test/",
        views_trader.SecondTestRequestView.as_view(),
        name="api-agencies-second-test-request",
    ),
    # --- agency supervisors: the requirement matrix -------------------------------------
    path(
        "agencies/requirements/",
        views_requirements.RequirementListCreateView.as_view(),
        name="api-agencies-requirements",
    ),
    path(
        "agencies/requirements/<int:pk>/change/",
        views_requirements.RequirementChangeView.as_view(),
        name="api-agencies-requirement-change",
    ),
    path(
        "agencies/requirements/<int:pk>/end/",
        views_requirements.RequirementEndView.as_view(),
        name="api-agencies-requirement-end",
    ),
    # --- public (the trade portal) ------------------------------------------------------
    path(
        "agencies/public/requirements/",
        views_requirements.PublicRequirementLookupView.as_view(),
        name="api-agencies-public-requirements",
    ),
]

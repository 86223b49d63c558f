from django.urls import path

from ventanilla.clearance.api import carrier, timeline, trader

urlpatterns = [
    path("declarations/lodge/", trader.LodgeView.as_view(), name="api-declaration-lodge"),
    path("declarations/bulk/", trader.BulkLodgeView.as_view(), name="api-declaration-bulk"),
    path("declarations/<int:pk>/amend/", trader.AmendView.as_view(), name="api-declaration-amend"),
    path(
        "declarations/<int:pk>/cancel/", trader.CancelView.as_view(), name="api-declaration-cancel"
    ),
    path(
        "declarations/<int:pk>/timeline/",
        timeline.TimelineView.as_view(),
        name="api-declaration-timeline",
    ),
    path("arrivals/", carrier.ArrivalView.as_view(), name="api-arrivals"),
    path("releases/", carrier.ReleaseListView.as_view(), name="api-releases"),
]

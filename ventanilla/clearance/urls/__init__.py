"""The carrier's and terminal's pages (namespace ``clearance``)."""

from django.urls import path

from ventanilla.clearance.views import carrier

app_name = "clearance"
urlpatterns = [
    path("arrivals/", carrier.arrivals, name="arrivals"),
    path("releases/", carrier.releases, name="releases"),
]

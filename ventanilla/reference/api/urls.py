"""Included at /api/public/v1/ by config/urls.py."""

from django.urls import path

from ventanilla.reference.api import views

urlpatterns = [
    path("hs/", views.HSCodeListView.as_view(), name="public-hs-list"),
    path("hs/<str:code>/", views.HSCodeDetailView.as_view(), name="public-hs-detail"),
    path("countries/", views.CountryListView.as_view(), name="public-country-list"),
    path("currencies/", views.CurrencyListView.as_view(), name="public-currency-list"),
    path("locations/", views.LocationListView.as_view(), name="public-location-list"),
    path(
        "customs-offices/", views.CustomsOfficeListView.as_view(), name="public-customs-office-list"
    ),
    path("units/", views.UnitListView.as_view(), name="public-unit-list"),
    path("package-types/", views.PackageTypeListView.as_view(), name="public-package-type-list"),
    path("document-types/", views.DocumentTypeListView.as_view(), name="public-document-type-list"),
]

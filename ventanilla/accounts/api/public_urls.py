from django.urls import path

from ventanilla.accounts.api import views

urlpatterns = [
    path("agencies/", views.PublicAgencyListView.as_view(), name="api-public-agencies"),
]

from django.urls import path

from ventanilla.reference import views

app_name = "reference"
urlpatterns = [
    path("hs/", views.hs, name="hs"),
    path("hs/<str:code>/", views.hs_node, name="hs_node"),
    path("countries/", views.countries, name="countries"),
    path("locations/", views.locations, name="locations"),
]

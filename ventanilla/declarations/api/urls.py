from django.urls import path

from ventanilla.declarations.api import views

urlpatterns = [
    path("declarations/", views.DeclarationListView.as_view(), name="api-declarations"),
    path("declarations/<int:pk>/", views.DeclarationDetailView.as_view(), name="api-declaration"),
]

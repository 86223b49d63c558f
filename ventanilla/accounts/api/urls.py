from django.urls import path

from ventanilla.accounts.api import mandates, views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("organisations/", views.OrganisationListView.as_view(), name="api-organisations"),
    path(
        "organisations/<int:pk>/", views.OrganisationDetailView.as_view(), name="api-organisation"
    ),
    path("organisations/<int:pk>/members/", views.MemberListView.as_view(), name="api-members"),
    path("organisations/<int:pk>/tokens/", views.TokenListCreateView.as_view(), name="api-tokens"),
    path("tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="api-token-revoke"),
    path("mandates/", mandates.MandateListView.as_view(), name="api-mandates"),
    path(
        "mandates/<int:pk>/revoke/", mandates.MandateRevokeView.as_view(), name="api-mandate-revoke"
    ),
]

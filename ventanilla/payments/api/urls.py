from django.urls import path

from ventanilla.payments.api import views

urlpatterns = [
    path(
        "declarations/<int:pk>/payments/",
        views.DeclarationPaymentsView.as_view(),
        name="api-payments-declaration",
    ),
    path(
        "declarations/<int:pk>/financial-state/",
        views.FinancialStateView.as_view(),
        name="api-payments-financial-state",
    ),
    path(
        "declarations/<int:pk>/guarantee/",
        views.GuaranteeUseView.as_view(),
        name="api-payments-guarantee-use",
    ),
    path("payments/<int:pk>/", views.PaymentDetailView.as_view(), name="api-payments-detail"),
    path(
        "payments/callbacks/<slug:provider_code>/",
        views.ProviderCallbackView.as_view(),
        name="api-payments-callback",
    ),
    path("guarantees/", views.GuaranteeAccountListView.as_view(), name="api-payments-guarantees"),
    path(
        "guarantees/<int:pk>/movements/",
        views.GuaranteeMovementListView.as_view(),
        name="api-payments-guarantee-movements",
    ),
]

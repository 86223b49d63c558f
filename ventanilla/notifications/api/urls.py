from django.urls import path

from ventanilla.notifications.api import views

urlpatterns = [
    path("notices/", views.NoticeListView.as_view(), name="api-notifications-notices"),
    path(
        "notices/unread-count/",
        views.UnreadCountView.as_view(),
        name="api-notifications-unread-count",
    ),
    path(
        "notices/<int:pk>/read/",
        views.NoticeReadView.as_view(),
        name="api-notifications-notice-read",
    ),
    path("notices/read-all/", views.NoticeReadAllView.as_view(), name="api-notifications-read-all"),
    path(
        "webhook-endpoints/",
        views.WebhookEndpointListCreateView.as_view(),
        name="api-notifications-webhook-endpoints",
    ),
    path(
        "webhook-endpoints/<int:pk>/",
        views.WebhookEndpointDetailView.as_view(),
        name="api-notifications-webhook-endpoint",
    ),
    path(
        "webhook-endpoints/<int:pk>/rotate-secret/",
        views.WebhookEndpointRotateView.as_view(),
        name="api-notifications-webhook-endpoint-rotate",
    ),
    path(
        "webhook-deliveries/",
        views.WebhookDeliveryListView.as_view(),
        name="api-notifications-webhook-deliveries",
    ),
    path(
        "webhook-deliveries/<int:pk>/",
        views.WebhookDeliveryDetailView.as_view(),
        name="api-notifications-webhook-delivery",
    ),
    path(
        "webhook-deliveries/<int:pk>/redeliver/",
        views.WebhookRedeliverView.as_view(),
        name="api-notifications-webhook-redeliver",
    ),
]

from django.urls import path

from ventanilla.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notices, name="notices"),
    path("<int:pk>/read/", views.notice_read, name="read"),
    path("read-all/", views.notices_read_all, name="read_all"),
]

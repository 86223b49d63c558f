from django.urls import path

from ventanilla.agencies import views, views_requirements

app_name = "agencies"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("reviews/<int:pk>/", views.case, name="case"),
    path("reviews/<int:pk>/decide/", views.decide, name="decide"),
    path("reviews/<int:pk>/inspection/", views.book, name="book"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
    path("inspections/<int:pk>/start/", views.inspection_start, name="inspection_start"),
    path("inspections/<int:pk>/result/", views.inspection_result, name="inspection_result"),
    path("inspections/<int:pk>/sample/", views.sample, name="sample"),
    path("samples/<int:pk>/result/", views.sample_result, name="sample_result"),
    path("second-tests/<int:pk>/result/", views.second_test_result, name="second_test_result"),
    path("requirements/", views_requirements.requirements, name="requirements"),
    path("requirements/add/", views_requirements.requirement_add, name="requirement_add"),
    path(
        "requirements/<int:pk>/change/",
        views_requirements.requirement_change,
        name="requirement_change",
    ),
    path("requirements/<int:pk>/end/", views_requirements.requirement_end, name="requirement_end"),
]

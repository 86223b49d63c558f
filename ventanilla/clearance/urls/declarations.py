"""The trader's and broker's pages (namespace ``declarations``, mounted at
``declarations/``): the views live in the orchestrator, which alone may call every
clearance app (ADR 0005)."""

from django.urls import path

from ventanilla.clearance.views import declaration, lodging

app_name = "declarations"
urlpatterns = [
    path("", lodging.declaration_list, name="list"),
    path("new/", lodging.draft_new, name="new"),
    path("drafts/<int:pk>/check/", lodging.draft_check, name="check"),
    path("drafts/<int:pk>/delete/", lodging.draft_delete, name="draft_delete"),
    path("drafts/<int:pk>/<slug:step>/", lodging.draft_step, name="step"),
    path("pick/locations/", lodging.pick_location, name="pick_location"),
    path("pick/tariff-lines/", lodging.pick_tariff, name="pick_tariff"),
    path("<int:pk>/", declaration.declaration_detail, name="detail"),
    path("<int:pk>/submitted/", lodging.submitted, name="submitted"),
    path("<int:pk>/copy/", lodging.draft_copy, name="copy"),
    path("<int:pk>/amend/", lodging.amend_start, name="amend"),
    path("<int:pk>/cancel/", declaration.cancel, name="cancel"),
    path("<int:pk>/pay/", declaration.pay, name="pay"),
    path("<int:pk>/guarantee/", declaration.use_guarantee, name="guarantee"),
    path("<int:pk>/notices/read/", declaration.notices_read, name="notices_read"),
    path("<int:pk>/requests/<int:request_pk>/answer/", declaration.answer, name="answer"),
    path(
        "<int:pk>/samples/<int:sample_pk>/second-test/", declaration.second_test, name="second_test"
    ),
]

from django.urls import path

from fulfilment.views import driver, lists, payouts, runs

app_name = "fulfilment"

urlpatterns = [
    path("", runs.run_list, name="run-list"),
    path("runs/new/", runs.run_edit, name="run-create"),
    path("runs/<int:pk>/", runs.run_detail, name="run-detail"),
    path("runs/<int:pk>/edit/", runs.run_edit, name="run-edit"),
    path("runs/<int:pk>/status/", runs.run_status, name="run-status"),
    path("runs/<int:pk>/route/", runs.run_route, name="run-route"),
    path("runs/<int:pk>/supply/", runs.run_supply, name="run-supply"),
    path("runs/<int:pk>/shortfalls/", runs.run_shortfalls, name="run-shortfalls"),
    path("runs/<int:pk>/lists/<slug:kind>/", lists.run_list_document, name="run-document"),
    path("runs/<int:pk>/driver/", driver.driver_view, name="driver"),
    path("runs/<int:pk>/driver/tap/", driver.driver_tap, name="driver-tap"),
    path("payouts/", payouts.payout_list, name="payouts"),
    path("payouts/<int:household_id>/statement.pdf", payouts.statement_pdf, name="payout-statement"),
    path("payouts/<int:household_id>/paid/", payouts.mark_paid, name="payout-paid"),
]

from django.urls import path

from fulfilment.views import driver, household, lists, payouts, places, products, run_day, runs

app_name = "fulfilment"

# Pickup points and delivery zones share their list, edit and delete views.
POINT = {"kind": "point"}
ZONE = {"kind": "zone"}

urlpatterns = [
    path("", runs.run_list, name="run-list"),
    path("runs/new/", runs.run_edit, name="run-create"),
    path("runs/<int:pk>/", runs.run_detail, name="run-detail"),
    path("runs/<int:pk>/edit/", runs.run_edit, name="run-edit"),
    path("runs/<int:pk>/status/", runs.run_status, name="run-status"),
    path("runs/<int:pk>/orders/", run_day.orders, name="run-orders"),
    path("runs/<int:pk>/driver/set-off/", run_day.set_off, name="set-off"),
    path("runs/<int:pk>/driver/undo/", run_day.undo, name="driver-undo"),
    path("runs/<int:pk>/route/", runs.run_route, name="run-route"),
    path("runs/<int:pk>/pins/", runs.run_pin, name="run-pin"),
    path("runs/<int:pk>/supply/", runs.run_supply, name="run-supply"),
    path("runs/<int:pk>/shortfalls/", runs.run_shortfalls, name="run-shortfalls"),
    path("runs/<int:pk>/lists/<slug:kind>/", lists.run_list_document, name="run-document"),
    path("runs/<int:pk>/driver/", driver.driver_view, name="driver"),
    path("runs/<int:pk>/driver/tap/", driver.driver_tap, name="driver-tap"),
    path(
        "runs/<int:pk>/driver/manifest.webmanifest",
        driver.driver_manifest,
        name="driver-manifest",
    ),
    path("sw.js", driver.service_worker, name="service-worker"),
    path("points/", places.place_list, POINT, name="point-list"),
    path("points/new/", places.place_edit, POINT, name="point-create"),
    path("points/<int:point_id>/", places.place_edit, POINT, name="point-edit"),
    path("points/<int:point_id>/delete/", places.place_delete, POINT, name="point-delete"),
    path("zones/", places.place_list, ZONE, name="zone-list"),
    path("zones/new/", places.place_edit, ZONE, name="zone-create"),
    path("zones/<int:zone_id>/", places.place_edit, ZONE, name="zone-edit"),
    path("zones/<int:zone_id>/delete/", places.place_delete, ZONE, name="zone-delete"),
    path("crates/", places.crate_list, name="crates"),
    path("products/", products.product_list, name="product-list"),
    path("products/new/", products.product_create, name="product-create"),
    path("products/<int:product_pk>/", products.product_edit, name="product-edit"),
    path("payouts/", payouts.payout_list, name="payouts"),
    path(
        "payouts/<int:household_id>/statement.pdf", payouts.statement_pdf, name="payout-statement"
    ),
    path("payouts/<int:household_id>/paid/", payouts.mark_paid, name="payout-paid"),
    path("households/<int:household_id>/link/", household.household_link, name="household-link"),
    path(
        "households/<int:household_id>/link/renew/",
        household.household_link_renew,
        name="household-link-renew",
    ),
]

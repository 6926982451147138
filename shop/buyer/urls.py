"""Guest order pages, included under ``/shop/orders/`` (namespace ``buyer``)."""

from django.urls import path

from shop.buyer import order_change, pay_rest, views

app_name = "buyer"

urlpatterns = [
    path("find/", views.find_order, name="find-order"),
    path("o/<str:token>/", views.order_page, name="order"),
    path("o/<str:token>/change/", order_change.guest_change, name="order-change"),
    path("o/<str:token>/pay-rest/", pay_rest.guest_pay, name="order-pay-rest"),
    path("o/<str:token>/pay-rest/done/", pay_rest.guest_done, name="order-pay-rest-done"),
]

"""URLs of the payment pages, included under ``/shop/payment/`` (namespace ``payment``).

The Stripe webhook has its own unprefixed URL in ``shop/urls.py`` (``stripe-webhook``)
so the address given to Stripe never depends on the language.
"""

from django.urls import path

from shop.payment import views

app_name = "payment"

urlpatterns = [
    path("stripe/return/", views.stripe_return, name="stripe-return"),
    path("stripe/cancel/", views.stripe_cancel, name="stripe-cancel"),
    path("orders/<str:number>/mark-paid/", views.mark_paid, name="mark-paid"),
    path("orders/<str:number>/refund/", views.refund, name="refund"),
    path("orders/<str:number>/cancel/", views.cancel_order, name="cancel-order"),
]

"""The waitlist's pages, included under ``/shop/waitlist/`` (namespace ``waitlist``)."""

from django.urls import path

from shop.waitlist import views

app_name = "waitlist"

urlpatterns = [
    path("product/<int:pk>/", views.join, name="join"),
    path("<str:token>/cancel/", views.cancel, name="cancel"),
]

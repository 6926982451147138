"""Public pages about where the food comes from, mounted under /shop/ by shop/urls.py."""

from django.urls import path

from catalogue import views

app_name = "origin"

urlpatterns = [
    path("teams/<str:slug>/", views.TeamDetailView.as_view(), name="team"),
    path("villages/<str:slug>/", views.VillageDetailView.as_view(), name="village"),
    path("products/<int:pk>/qr.png", views.product_qr, name="product-qr"),
    path("products/<int:pk>/card.jpg", views.product_share_card, name="product-card"),
]

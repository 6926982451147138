"""The buyer's standing-order pages, under /shop/accounts/standing/ (sign-in required)."""

from django.contrib.auth.decorators import login_required
from django.urls import path

from shop.standing import views

app_name = "standing"

urlpatterns = [
    path("", login_required(views.StandingListView.as_view()), name="list"),
    path("new/", login_required(views.StandingStartView.as_view()), name="new"),
    path("<int:pk>/", login_required(views.StandingDetailView.as_view()), name="detail"),
    path("<int:pk>/skip/", login_required(views.SkipView.as_view()), name="skip"),
    path("<int:pk>/unskip/", login_required(views.UnskipView.as_view()), name="unskip"),
    path("<int:pk>/status/", login_required(views.StatusView.as_view()), name="status"),
    # The placement e-mail's pay link: signed, opened without signing in.
    path("pay/<str:token>/", views.pay_link, name="pay"),
    path("<int:pk>/quantities/", login_required(views.QuantitiesView.as_view()), name="quantities"),
]

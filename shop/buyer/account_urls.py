"""The signed-in buyer's pages (``shop.buyer.account``) on Oscar's own addresses, included
in shop/urls.py before Oscar's URLs: ``customer:...`` and ``password-reset...`` names still
reverse to these paths, and the paths resolve here first. Sign-in is required as in Oscar."""

from django.contrib.auth.decorators import login_required
from django.urls import path, reverse_lazy
from django.views.generic import RedirectView

from shop.buyer import account, order_change, pay_rest

accounts = [
    path("login/", account.SignInOrUpView.as_view()),
    path("register/", account.SignUpView.as_view()),
    path("orders/", login_required(account.OrderHistoryView.as_view())),
    path("orders/<str:order_number>/", login_required(account.OrderDetailView.as_view())),
    path(
        "orders/<str:order_number>/change/",
        order_change.account_change,
        name="account-order-change",
    ),
    path(
        "orders/<str:order_number>/pay-rest/",
        pay_rest.account_pay,
        name="account-order-pay-rest",
    ),
    path(
        "orders/<str:order_number>/pay-rest/done/",
        pay_rest.account_done,
        name="account-order-pay-rest-done",
    ),
    path("profile/", login_required(account.ProfileView.as_view())),
    path("profile/edit/", login_required(account.ProfileUpdateView.as_view())),
    path("profile/delete/", login_required(account.ProfileDeleteView.as_view())),
    path("change-password/", login_required(account.ChangePasswordView.as_view())),
    path("addresses/", login_required(account.AddressListView.as_view())),
    path("addresses/add/", login_required(account.AddressCreateView.as_view())),
    path("addresses/<int:pk>/", login_required(account.AddressUpdateView.as_view())),
    path("addresses/<int:pk>/delete/", login_required(account.AddressDeleteView.as_view())),
]

# Oscar's account sections the shop does not offer (e-mail history, site notifications, the
# list of stock alerts) lead to the buyer's orders; a product page's stock alert, and the
# confirm and cancel links its e-mails carry, still work.
not_offered = RedirectView.as_view(url=reverse_lazy("customer:order-list"))
accounts += [
    path(route, login_required(not_offered))
    for route in (
        "emails/",
        "emails/<int:email_id>/",
        "notifications/",
        "notifications/inbox/",
        "notifications/archive/",
        "notifications/<int:pk>/",
        "alerts/",
    )
]

password_reset = [
    path("", account.PasswordResetView.as_view()),
    path("confirm/<str:uidb64>/<str:token>/", account.PasswordResetConfirmView.as_view()),
]

"""The buyer's sign-up pages, signing the new account in through the login protection.

Oscar's ``RegisterUserMixin.register_user`` signs a new account in with
``authenticate()`` but without the request, and django-axes (first in
``AUTHENTICATION_BACKENDS``) refuses to judge a login it cannot place: every sign-up
created the account and then answered 500. These views are Oscar's, with the sign-in
step handed the request; shop/urls.py mounts them on Oscar's two account URLs.
"""

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import login as auth_login
from oscar.apps.customer.mixins import RegisterUserMixin
from oscar.apps.customer.signals import user_registered
from oscar.apps.customer.views import AccountAuthView, AccountRegistrationView

User = get_user_model()
EMAIL_BACKEND = "shop.desk.backends.EmailBackend"


class SignUpMixin(RegisterUserMixin):
    def register_user(self, form):
        user = form.save()
        user_registered.send_robust(sender=self, request=self.request, user=user)
        if getattr(settings, "OSCAR_SEND_REGISTRATION_EMAIL", True):
            self.send_registration_email(user)
        return self.sign_in(user, form.cleaned_data["password1"])

    def sign_in(self, user, password):
        """Signs the new account in as a login would, so axes sees (and logs) it."""
        try:
            signed_in = authenticate(self.request, username=user.email, password=password)
        except User.MultipleObjectsReturned:
            # The form was sent twice at once and both copies passed the e-mail check:
            # keep the first account, switch the copies off (as Oscar does).
            accounts = list(User.objects.filter(email=user.email).order_by("pk"))
            signed_in = accounts[0]
            signed_in.backend = EMAIL_BACKEND
            User.objects.filter(pk__in=[a.pk for a in accounts[1:]]).update(is_active=False)
        if signed_in is None:
            # Login protection holds this address from this place: the account exists,
            # the buyer signs in once the lockout ends.
            return user
        auth_login(self.request, signed_in)
        return signed_in


class SignUpView(SignUpMixin, AccountRegistrationView):
    pass


class LoginOrSignUpView(SignUpMixin, AccountAuthView):
    pass

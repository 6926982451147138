"""Checkout steps, adapted from Oscar's by subclassing.

The flow buyers take: (gateway: sign in or go on as a guest) → one "确认订单" page (who
collects, their mobile and a guest's e-mail, the run and pickup point or home delivery,
the way to pay, and the order itself) → "提交订单" places the order. Oscar's step pages
(who collects → run → payment → preview) stay for changing one thing and for links
people kept. Payment handling stays thin here and hands off to ``shop.payment``.
"""

import logging
import uuid
from urllib.parse import urlencode

from django import http
from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from oscar.apps.checkout import signals
from oscar.apps.checkout import views as oscar_views
from oscar.apps.checkout.exceptions import FailedPreCondition
from oscar.apps.checkout.mixins import OrderPlacementMixin
from oscar.apps.order.exceptions import UnableToPlaceOrder
from oscar.core.loading import get_class, get_model

from fulfilment import runs
from fulfilment.runs import RunChoice, delivery_problems
from shop.checkout import split, tasks
from shop.checkout.forms import PaymentMethodForm, ShippingAddressForm, normalise_cn_mobile
from shop.institutions import checkout as institution_checkout
from shop.order import groups, placement
from shop.order.status import PENDING_PAYMENT
from shop.payment import methods as payment_methods
from shop.payment import stripe_gateway
from shop.payment.processing import PaymentProblem, record_payment_choice
from shop.shipping.repository import Repository
from shop.speed import frames, keep_as_prefetched, rows

Country = get_model("address", "Country")
UserAddress = get_model("address", "UserAddress")
Line = get_model("order", "Line")
Order = get_model("order", "Order")
Surcharge = get_model("order", "Surcharge")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
PaymentEventType = get_model("order", "PaymentEventType")
OrderSubmission = get_model("order", "OrderSubmission")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
SurchargeApplicator = get_class("checkout.applicator", "SurchargeApplicator")
logger = logging.getLogger(__name__)


def delivery_options(methods, basket):
    """Each delivery choice with its fee and what the buyer would pay with it."""
    options = []
    for method in methods:
        fee = method.calculate(basket).incl_tax
        options.append({"method": method, "fee": fee, "total": basket.total_incl_tax + fee})
    return options


class DeliveryChoicesOncePerRequest:
    """Oscar's checkout works out the delivery choices several times per request (its
    pre-conditions, the method list, the order total); these views work them out once."""

    def dispatch(self, request, *args, **kwargs):
        Repository.remember_choices(request.basket, self.checks_capacity(request))
        return super().dispatch(request, *args, **kwargs)

    def checks_capacity(self, request):
        """Whether this request checks room in the car and supply for the delivery choices
        (see ``Repository.remember_choices``)."""
        return True


class SplitBasketGoesToConfirm:
    """Oscar's step pages choose one run for the whole basket; a basket holding several
    teams' produce is split per team on the order confirmation page instead."""

    splits_basket = False  # the page that does it (``ConfirmView``)

    def dispatch(self, request, *args, **kwargs):
        if not self.splits_basket and split.is_split(request.basket):
            return redirect("checkout:confirm")
        return super().dispatch(request, *args, **kwargs)


class EmailIsOptional:
    """The buyer's mobile is the key (text messages go there); Oscar's later steps would
    send a guest who gave no e-mail back for one."""

    def get_pre_conditions(self, request):
        conditions = super().get_pre_conditions(request)
        return [c for c in conditions if c != "check_user_email_is_captured"]


class IndexView(oscar_views.IndexView):
    """The gateway: signed-in buyers, and guests once they choose, go to the one-page
    order confirmation."""

    success_url = reverse_lazy("checkout:confirm")

    def get_form_kwargs(self):
        # The returning-customer option signs in through django-axes, which needs the
        # request (without it every such POST was a 500).
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.is_new_account_checkout():
            # Oscar sends a new account back to its first step page; come back here.
            query = urlencode(
                {"next": reverse("checkout:confirm"), "email": form.cleaned_data["username"]}
            )
            return redirect(f"{reverse('customer:register')}?{query}")
        return response


class ShippingAddressView(oscar_views.ShippingAddressView):
    """Who collects the order and their mobile; a guest's e-mail too, so a guest can come
    here straight from the gateway (sign in, or go on as a guest) without its e-mail
    step. The gateway's guest option still works and fills the e-mail in."""

    form_class = ShippingAddressForm
    pre_conditions = [
        condition
        for condition in oscar_views.ShippingAddressView.pre_conditions
        if condition != "check_user_email_is_captured"
    ]

    def asks_email(self):
        return not self.request.user.is_authenticated

    def post(self, request, *args, **kwargs):
        # Oscar looks a chosen saved address up by the posted id as it stands.
        address_id = request.POST.get("address_id")
        if request.user.is_authenticated and address_id is not None:
            if (
                not (address_id.isascii() and address_id.isdigit())
                or not UserAddress._default_manager.filter(
                    pk=int(address_id), user=request.user
                ).exists()
            ):
                return http.HttpResponseBadRequest()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["ask_email"] = self.asks_email()
        if kwargs["ask_email"]:
            given = self.checkout_session.get_guest_email()
            kwargs["email_given"] = bool(given)
            kwargs["initial"] = {**(kwargs.get("initial") or {}), "guest_email": given or ""}
        return kwargs

    def form_valid(self, form):
        email = form.cleaned_data.get("guest_email")
        if self.asks_email() and email:
            self.checkout_session.set_guest_email(email)
            signals.start_checkout.send_robust(sender=self, request=self.request, email=email)
        return super().form_valid(form)


class ShippingMethodView(
    SplitBasketGoesToConfirm,
    EmailIsOptional,
    DeliveryChoicesOncePerRequest,
    oscar_views.ShippingMethodView,
):
    def checks_capacity(self, request):
        # The list shown (GET) leaves out full runs; a choice posted from it is checked
        # again by the preview and, taking the room for good, when the order is placed.
        return request.method != "POST"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["chosen_code"] = self.checkout_session.shipping_method_code(self.request.basket)
        context["options"] = delivery_options(context["methods"], self.request.basket)
        context["payment_form"] = PaymentMethodForm(
            initial={"method": self.checkout_session.payment_method()}
        )
        return context

    def form_valid(self, form):
        """The delivery choice and, chosen on the same page, the way to pay: then the
        preview is next. Without a valid way to pay, the payment page is."""
        self.checkout_session.use_shipping_method(form.cleaned_data["method_code"])
        if "method" in self.request.POST:
            payment = PaymentMethodForm(self.request.POST)
            if payment.is_valid():
                self.checkout_session.pay_by(payment.cleaned_data["method"])
                return redirect("checkout:preview")
        return self.get_success_response()

    def form_invalid(self, form):
        messages.error(self.request, _("请选一个批次和取货方式。"))
        return redirect("checkout:shipping-method")

    def get_available_shipping_methods(self):
        """Say why runs or zones are not offered (full, past cut-off, short of supply, below
        a zone's minimum) when Oscar skips the choice page: with no method, or only one."""
        methods = super().get_available_shipping_methods()
        if len(methods) <= 1 and self.request.method == "GET":
            address = self.get_shipping_address(self.request.basket)
            for problem in Repository().unavailable(self.request.basket, address):
                messages.warning(self.request, problem)
        return methods


class PaymentMethodView(
    SplitBasketGoesToConfirm,
    EmailIsOptional,
    DeliveryChoicesOncePerRequest,
    oscar_views.PaymentMethodView,
):
    template_name = "oscar/checkout/payment_method.html"

    def checks_capacity(self, request):
        return False  # the preview, next, checks again

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(
                form=PaymentMethodForm(initial={"method": self.checkout_session.payment_method()})
            )
        )

    def post(self, request, *args, **kwargs):
        form = PaymentMethodForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        self.checkout_session.pay_by(form.cleaned_data["method"])
        return redirect("checkout:preview")


# The hidden input of the order forms holding their one-time key (see SubmitsOnce).
SUBMISSION_FIELD = "submission_key"


class SubmitsOnce:
    """An order form submitted twice places one order.

    The page that places the order renders a one-time key (a UUID) into its form; the
    order is recorded with it (``OrderSubmission``) in the transaction that places it. A
    submit carrying a key already used (the buyer retries after an error page, taps twice,
    goes back and submits again) is answered with the order already placed. Once that
    transaction has committed, nothing that runs after it (e-mail, session, signals) can
    turn the answer into an error page: failures there are logged and the buyer is shown
    the order."""

    def posted_submission_key(self):
        try:
            return uuid.UUID(self.request.POST.get(SUBMISSION_FIELD, ""))
        except ValueError:
            return None

    def submission_key_for_form(self):
        """The key for the form being shown: a new one, or the one posted when the page is
        shown again after a refusal (no order was placed with it)."""
        return self.posted_submission_key() or uuid.uuid4()

    def order_placed_with(self, key):
        """The order this buyer placed with ``key``, read from the primary, or None."""
        if key is None:
            return None
        submission = (
            OrderSubmission.objects.using("default").select_related("order").filter(key=key).first()
        )
        if submission is None:
            return None
        order = submission.order
        if order.user_id is not None and order.user_id != self.request.user.pk:
            return None  # not this buyer's: the key is not theirs to reuse
        return order

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            order = self.order_placed_with(self.posted_submission_key())
            if order is not None:
                logger.info("Order %s: the same form was submitted again", order.number)
                return self.show_placed_order(order)
        return super().dispatch(request, *args, **kwargs)

    def show_placed_order(self, order):
        """The thank-you page for an order already placed."""
        self.request.session["checkout_order_id"] = order.pk
        messages.info(
            self.request, _("这张订单已经提交过了，订单号 %(number)s。") % {"number": order.number}
        )
        return redirect("checkout:thank-you")

    def place_order(self, **kwargs):
        """Oscar's, with the form's key recorded with the order, in the transaction that
        places it (the checkout's ``place_order`` opens it). Two submits at once: the
        second one's insert of the key fails and its order is rolled back."""
        order = super().place_order(**kwargs)
        key = self.posted_submission_key()
        if key is not None:
            OrderSubmission.objects.create(key=key, order=order)
        return order

    def handle_order_placement(
        self,
        order_number,
        user,
        basket,
        shipping_address,
        shipping_method,
        shipping_charge,
        billing_address,
        order_total,
        surcharges=None,
        **kwargs,
    ):
        """Oscar's, except that once the order is committed the buyer is always shown it."""
        started = timezone.now()
        try:
            order = self.place_order(
                order_number=order_number,
                user=user,
                basket=basket,
                shipping_address=shipping_address,
                shipping_method=shipping_method,
                shipping_charge=shipping_charge,
                order_total=order_total,
                billing_address=billing_address,
                surcharges=surcharges,
                **kwargs,
            )
        except Exception as error:
            placed = self._placed_despite(error, basket, order_number, started)
            if placed is None:
                raise
            return placed
        return self.after_commit(order, basket)

    def after_commit(self, order, basket):
        try:
            basket.submit()
            return self.handle_successful_order(order)
        except Exception:
            logger.exception("Order %s was placed; what follows placing it failed", order.number)
            return self._show_order(order)

    def _placed_despite(self, error, basket, order_number, started):
        """After ``error``, the answer for an order that exists all the same: placed by an
        earlier submit with the same key, or placed by this request, the error raised after
        its commit (by an on-commit callback)."""
        try:
            if isinstance(error, IntegrityError):
                earlier = self.order_placed_with(self.posted_submission_key())
                if earlier is not None:
                    return self.show_placed_order(earlier)
            order = (
                Order.objects.using("default")
                .filter(number=order_number, date_placed__gte=started)
                .first()
            )
        except Exception:
            logger.exception("Order %s: could not look for it after an error", order_number)
            return None
        if order is None:
            return None
        logger.error(
            "Order %s was placed; what ran after its commit failed", order_number, exc_info=error
        )
        return self.after_commit(order, basket)

    def _show_order(self, order):
        try:
            self.request.session["checkout_order_id"] = order.pk
        except Exception:
            logger.exception("Order %s: the session could not keep it", order.number)
        return redirect("checkout:thank-you")


class PaymentDetailsView(
    SplitBasketGoesToConfirm,
    SubmitsOnce,
    institution_checkout.OrdersForInstitution,
    EmailIsOptional,
    DeliveryChoicesOncePerRequest,
    oscar_views.PaymentDetailsView,
):
    def get_pre_conditions(self, request):
        conditions = super().get_pre_conditions(request)
        return (
            ["check_delivery_run_takes_the_basket"]
            + conditions
            + ["check_payment_method_is_chosen"]
        )

    def checks_capacity(self, request):
        # Placing the order takes the room with conditional updates (``place_order``);
        # checking just before that too would only cost time.
        return not (request.method == "POST" and request.POST.get("action") == "place_order")

    def check_delivery_run_takes_the_basket(self, request):
        """The chosen run may have closed or filled up since the buyer picked it."""
        code = self.checkout_session.shipping_method_code(request.basket)
        # The choices Oscar checks next hold the answer for an open run of the basket's team.
        problems = Repository().problems_on(request.basket, code)
        if problems is None:
            problems = delivery_problems(RunChoice.from_code(code), request.basket)
        if problems:
            raise FailedPreCondition(url=reverse("checkout:shipping-method"), messages=problems)

    def check_payment_method_is_chosen(self, request):
        method = self.checkout_session.payment_method()
        if method not in dict(payment_methods.available_methods()):
            raise FailedPreCondition(
                url=reverse("checkout:payment-method"), message=_("请先选择付款方式。")
            )

    def get(self, request, *args, **kwargs):
        if not self.preview:
            return redirect("checkout:preview")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        self.request.basket.show_line_images()
        context = super().get_context_data(**kwargs)
        context["payment_method_label"] = payment_methods.label(
            self.checkout_session.payment_method()
        )
        context["submission_key"] = self.submission_key_for_form()
        return context

    def get_shipping_address(self, basket):
        """Oscar's, with the country taken from the kept shipping countries (``shop.speed.rows``):
        saving the address reads it for the search text."""
        address = super().get_shipping_address(basket)
        if address is not None and address.country_id:
            for country in rows.filtered(Country, is_shipping_country=True):
                if country.pk == address.country_id:
                    address.country = country
        return address

    def add_payment_event(self, event_type_name, amount, reference=""):
        """Oscar's, with the event type from ``shop.speed.rows`` instead of a query per order."""
        event_type = rows.get_or_create(PaymentEventType, name=event_type_name)
        if self._payment_events is None:
            self._payment_events = []
        self._payment_events.append(
            PaymentEvent(event_type=event_type, amount=amount, reference=reference)
        )

    def save_payment_events(self, order):
        """Oscar's, with each event's line quantities written in one query."""
        lines = list(order.lines.all())  # kept from placing the order
        for event in self._payment_events or ():
            event.order = order
            event.save()
            PaymentEventQuantity.objects.bulk_create(
                PaymentEventQuantity(event=event, line=line, quantity=line.quantity)
                for line in lines
            )

    def build_submission(self, **kwargs):
        """Oscar's; a guest who gave no e-mail (the phone is the key) orders with none."""
        submission = super().build_submission(**kwargs)
        order_kwargs = submission["order_kwargs"]
        if "guest_email" in order_kwargs and not order_kwargs["guest_email"]:
            order_kwargs["guest_email"] = ""
        return submission

    def handle_payment(self, order_number, total, **kwargs):
        record_payment_choice(self, self.checkout_session.payment_method(), total)

    def place_order(self, **kwargs):
        """Place the order on the chosen run through ``shop.order.placement``: the room in
        the car and the stock are taken first (nobody else can take them now), then the
        order is written on them and the basket submitted, in one transaction. Online
        payment starts only after this, from ``handle_successful_order``."""
        online = self.checkout_session.payment_method() == payment_methods.STRIPE
        if online:
            kwargs["status"] = PENDING_PAYMENT
        basket = kwargs["basket"]

        def write():
            order = super(PaymentDetailsView, self).place_order(**kwargs)
            # In the order's transaction: one commit for both, and the basket is never
            # left open under a placed order (``submit`` after the commit does nothing).
            basket.submit()
            return order

        try:
            return placement.place_on_run(
                RunChoice.from_code(kwargs["shipping_method"].code),
                basket,
                write,
                awaiting_payment=online,
            )
        except placement.Refused as refusal:
            raise UnableToPlaceOrder(" ".join(refusal.messages)) from None

    def handle_successful_order(self, order):
        if order.status == PENDING_PAYMENT:
            return self.start_online_payment(order)
        response = super().handle_successful_order(order)
        messages.success(self.request, _("下单成功！订单号 %(number)s") % {"number": order.number})
        return response

    def send_order_placed_email(self, order):
        """Oscar's hook after an order is placed: the buyer's confirmations."""
        self.queue_confirmations([order])

    def queue_confirmations(self, orders):
        """The text message for each order (the buyer's phone is the key) and, when the
        buyer gave an address, one e-mail listing every part: one task for a worker
        (``shop.checkout.tasks.confirm_orders``)."""
        first = orders[0]
        kwargs = {"language": translation.get_language()}
        if first.email:
            context = self.get_message_context(first)
            kwargs.update(
                (key, context[key]) for key in ("status_path", "status_url") if key in context
            )
        tasks.queue_confirmations([order.pk for order in orders], **kwargs)

    def start_online_payment(self, order):
        """Send the buyer to Stripe; the order waits as "待付款" with its stock held."""
        return self.start_online_payment_for([order])

    def start_online_payment_for(self, orders):
        """One Stripe payment for ``orders`` (a split basket's parts, or one order); each
        waits as "待付款" with its stock held."""
        self.checkout_session.flush()
        self.request.session["checkout_order_id"] = orders[0].id
        return_url = self.request.build_absolute_uri(reverse("payment:stripe-return"))
        try:
            checkout = stripe_gateway.start_checkout_for(
                orders,
                success_url=return_url + "?session_id={CHECKOUT_SESSION_ID}",
                cancel_url=self.request.build_absolute_uri(reverse("payment:stripe-cancel")),
            )
        except PaymentProblem as problem:
            for order in orders:
                stripe_gateway.cancel_unpaid_order(order, str(problem))
            messages.error(self.request, str(problem))
            return redirect("basket:summary")
        return redirect(checkout.url)


# What the order confirmation page fills in for a signed-in buyer from their address book.
ADDRESS_FIELDS = ("first_name", "phone_number", "line1", "line4", "notes")


class ConfirmsSplitBasket:
    """The order confirmation for a basket holding several teams' produce
    (``shop.checkout.split``): the page shows each team's part with its own run and pickup
    point or zone (form field ``method_code-<team id>``); "提交订单" places one order per
    part through ``placement.place_parts_on_runs``, all or none, grouped in a
    ``CheckoutGroup``; the form's one-time key is recorded with the first order, so a
    second submit shows the orders already placed. One online payment covers them all."""

    def basket_parts(self):
        if not hasattr(self, "_basket_parts"):
            self._basket_parts = split.parts_of(self.request.basket)
        return self._basket_parts

    def split_context_data(self, **kwargs):
        chosen = (
            kwargs.pop("chosen_codes", None) or self.checkout_session._get("split", "codes") or {}
        )
        parts = []
        for part in self.basket_parts():
            methods, problems = Repository().choices_for_any_address(part.basket)
            options = delivery_options(methods, part.basket)
            code = chosen.get(part.field_name)
            if len(options) == 1:
                code = options[0]["method"].code
            parts.append(
                {
                    "part": part,
                    "team": part.team,
                    "basket": part.basket,
                    "options": options,
                    "unavailable": problems,
                    "chosen_code": code,
                    "field_name": part.field_name,
                }
            )
        context = {
            "view": self,
            "basket": self.request.basket,
            "parts": parts,
            "address_form": kwargs.pop("address_form", None) or self.get_address_form(),
            "payment_form": kwargs.pop("payment_form", None)
            or PaymentMethodForm(initial={"method": self.checkout_session.payment_method()}),
            "submission_key": self.submission_key_for_form(),
        }
        context.update(kwargs)
        return context

    def post_split(self, request, parts):
        address_form = self.get_address_form(data=request.POST)
        payment_form = PaymentMethodForm(request.POST)
        forms_valid = all([address_form.is_valid(), payment_form.is_valid()])
        codes = {part.field_name: request.POST.get(part.field_name, "") for part in parts}
        errors = []
        for part in parts:
            code = codes[part.field_name]
            if not code:
                errors.append(
                    _("请为“%(team)s”的商品选一个批次和取货方式。") % {"team": part.team.name}
                )
            elif forms_valid:
                problem = self.delivery_problem(code, address_form.instance, basket=part.basket)
                if problem:
                    errors.append(f"{part.team.name}：{problem}")
        shown = {"address_form": address_form, "payment_form": payment_form, "chosen_codes": codes}
        if errors or not forms_valid:
            return self.render_preview(request, error=" ".join(errors) or None, **shown)
        fields = {
            key: value
            for key, value in address_form.instance.__dict__.items()
            if not key.startswith("_")
        }
        self.checkout_session.ship_to_new_address(fields)
        if address_form.cleaned_data.get("guest_email"):
            self.checkout_session.set_guest_email(address_form.cleaned_data["guest_email"])
        self.checkout_session.pay_by(payment_form.cleaned_data["method"])
        self.checkout_session._set("split", "codes", codes)
        try:
            return self.place_split(parts, codes)
        except placement.Refused as refusal:
            return self.render_preview(request, error=" ".join(refusal.messages), **shown)

    def place_split(self, parts, codes):
        """Place every part, all or none; then the same steps as after one order."""
        request = self.request
        basket = request.basket
        online = self.checkout_session.payment_method() == payment_methods.STRIPE
        base = self.generate_order_number(basket)
        key = self.posted_submission_key()
        started = timezone.now()

        def after_writing(orders):
            groups.group(orders)
            if key is not None:
                OrderSubmission.objects.create(key=key, order=orders[0])
            basket.submit()  # with the orders, as for one order (``place_order``)

        specs = [
            (
                RunChoice.from_code(codes[part.field_name]),
                part.basket,
                self.part_writer(part, base, codes[part.field_name], online),
            )
            for part in parts
        ]
        try:
            orders = placement.place_parts_on_runs(
                specs, awaiting_payment=online, after_writing=after_writing
            )
        except placement.Refused:
            raise
        except Exception as error:
            if isinstance(error, IntegrityError):
                earlier = self.order_placed_with(key)
                if earlier is not None:
                    return self.show_placed_order(earlier)
            placed = list(
                Order.objects.using("default")
                .filter(number__startswith=f"{base}-", date_placed__gte=started)
                .order_by("number")
            )
            if not placed:
                logger.exception("Split basket %s could not be placed", basket.pk)
                raise placement.Refused([_("下单没有成功，什么都没有改动。请稍后再试。")]) from None
            logger.error("Orders %s-* were placed; what ran after failed", base, exc_info=error)
            orders = placed
        return self.after_split_commit(orders, basket)

    def part_writer(self, part, base, code, online):
        """The callable writing ``part``'s order (Oscar's order placement, with the part's
        basket, run choice, fee and payment record), called by the placement module."""
        request = self.request

        def write():
            address = self.get_shipping_address(request.basket)
            method = next(
                m
                for m in Repository().get_shipping_methods(
                    basket=part.basket, user=request.user, shipping_addr=address, request=request
                )
                if m.code == code
            )
            charge = method.calculate(part.basket)
            submission = {"user": request.user, "basket": part.basket}
            surcharges = SurchargeApplicator(request, submission).get_applicable_surcharges(
                part.basket, shipping_charge=charge
            )
            total = self.get_order_totals(
                part.basket, shipping_charge=charge, surcharges=surcharges
            )
            number = part.order_number(base)
            self._payment_sources, self._payment_events = None, None
            self.handle_payment(number, total)
            extra = {"status": PENDING_PAYMENT} if online else {}
            if not request.user.is_authenticated:
                extra["guest_email"] = self.checkout_session.get_guest_email() or ""
            return OrderPlacementMixin.place_order(
                self,
                order_number=number,
                user=request.user,
                basket=part.basket,
                shipping_address=address,
                shipping_method=method,
                shipping_charge=charge,
                order_total=total,
                billing_address=None,
                surcharges=surcharges,
                **extra,
            )

        return write

    def after_split_commit(self, orders, basket):
        """The orders stand: whatever fails now, the buyer is shown them."""
        try:
            basket.submit()
            if orders[0].status == PENDING_PAYMENT:
                return self.start_online_payment_for(orders)
            self.queue_confirmations(orders)
            self.checkout_session.flush()
            self.request.session["checkout_order_id"] = orders[0].pk
            messages.success(
                self.request,
                _("下单成功！按工作队分成 %(count)s 张订单：%(numbers)s")
                % {"count": len(orders), "numbers": "、".join(str(o.number) for o in orders)},
            )
            return redirect("checkout:thank-you")
        except Exception:
            logger.exception("Orders %s were placed; what follows failed", orders[0].number)
            return self._show_order(orders[0])


class ConfirmView(ConfirmsSplitBasket, PaymentDetailsView):
    """ "确认订单": one page to confirm and submit the order, as Chinese shoppers know it.

    It holds who collects (name, mobile, a guest's e-mail, the address for home delivery),
    the run with its pickup point or home-delivery zone, the way to pay and the order
    itself; "提交订单" checks everything and places the order in the same request. Bad
    input shows the page again with the reasons and stores nothing.
    """

    preview = True
    splits_basket = True
    template_name_preview = "oscar/checkout/confirm.html"
    # The form is drawn for each buyer; the rest of the page is the same for everyone
    # and drawn once per worker.
    response_class = frames.FramedResponse
    pre_conditions = ["check_basket_is_not_empty", "check_basket_is_valid"]

    def get_pre_conditions(self, request):
        return self.pre_conditions

    def get_skip_conditions(self, request):
        return []

    def checks_capacity(self, request):
        # The page lists only runs with room and supply; a choice posted from it is
        # checked again, taking the room for good, when the order is placed.
        return request.method != "POST"

    def get(self, request, *args, **kwargs):
        return self.render_preview(request)

    def post(self, request, *args, **kwargs):
        parts = self.basket_parts()
        if parts:
            return self.post_split(request, parts)
        address_form = self.get_address_form(data=request.POST)
        institution_form = institution_checkout.choice_form(
            request, self.checkout_session, request.POST
        )
        payment_form = PaymentMethodForm(
            request.POST, for_institution=institution_checkout.transfer_offered(request)
        )
        code = request.POST.get("method_code", "")
        forms_valid = all(
            [address_form.is_valid(), payment_form.is_valid(), institution_form.is_valid()]
        )
        error = None
        if not code:
            error = _("请选一个批次和取货方式。")
        elif forms_valid:
            error = institution_checkout.payment_problem(
                institution_form, payment_form.cleaned_data["method"]
            ) or self.delivery_problem(code, address_form.instance)
        if error or not forms_valid:
            return self.render_preview(
                request,
                address_form=address_form,
                payment_form=payment_form,
                institution_form=institution_form,
                chosen_code=code,
                error=error,
            )
        self.store_choices(address_form, code, payment_form.cleaned_data["method"])
        institution_checkout.remember(self.checkout_session, institution_form)
        return self.handle_place_order_submission(request)

    def render_preview(self, request, **kwargs):
        if request.method == "POST":
            # Shown again after a refusal: list the runs as they stand now.
            Repository.remember_choices(request.basket, check_capacity=True)
        return super().render_preview(request, **kwargs)

    def delivery_problem(self, code, address, basket=None):
        """Why the run or zone ``code`` cannot take this basket (or ``basket``, a part of it)
        to ``address``; None if it can."""
        basket = basket or self.request.basket
        methods = Repository().get_shipping_methods(
            basket=basket, user=self.request.user, shipping_addr=address, request=self.request
        )
        if any(method.code == code for method in methods):
            return None
        for method in Repository().choices_for_any_address(basket)[0]:
            if method.code == code and not method.is_pickup:
                return _("%(zone)s只送到：%(districts)s。请改填地址，或选自提。") % {
                    "zone": method.zone.name,
                    "districts": "、".join(method.zone.district_list),
                }
        return runs.run_full_message()

    def store_choices(self, address_form, code, payment_method):
        fields = {
            key: value
            for key, value in address_form.instance.__dict__.items()
            if not key.startswith("_")
        }
        self.checkout_session.ship_to_new_address(fields)
        email = address_form.cleaned_data.get("guest_email")
        if email:
            self.checkout_session.set_guest_email(email)
        self.checkout_session.use_shipping_method(code)
        self.checkout_session.pay_by(payment_method)

    def get_address_form(self, data=None):
        guest = not self.request.user.is_authenticated
        initial = self.checkout_session.new_shipping_address_fields() or self.saved_address()
        initial = {key: initial[key] for key in ADDRESS_FIELDS if initial.get(key)}
        if guest:
            initial["guest_email"] = self.checkout_session.get_guest_email() or ""
        return ShippingAddressForm(data, initial=initial, ask_email=guest)

    def saved_address(self):
        """A signed-in buyer's address to start from: the default, else the most used."""
        user = self.request.user
        if not user.is_authenticated:
            return {}
        address = user.addresses.order_by(
            "-is_default_for_shipping", "-num_orders_as_shipping_address", "-date_created"
        ).first()
        if address is None:
            return {"first_name": user.get_full_name()}
        found = {key: getattr(address, key) for key in ADDRESS_FIELDS}
        phone = str(found["phone_number"] or "")
        found["phone_number"] = normalise_cn_mobile(phone) or phone
        return found

    def get_context_data(self, **kwargs):
        basket = self.request.basket
        basket.show_line_images()
        if self.basket_parts():
            return self.split_context_data(**kwargs)
        methods, problems = Repository().choices_for_any_address(basket)
        options = delivery_options(methods, basket)
        chosen = kwargs.pop("chosen_code", None) or self.checkout_session.shipping_method_code(
            basket
        )
        if len(options) == 1:
            chosen = options[0]["method"].code
        context = {
            "view": self,
            "basket": basket,
            "options": options,
            "unavailable": problems,
            "chosen_code": chosen,
            "address_form": kwargs.pop("address_form", None) or self.get_address_form(),
            "payment_form": kwargs.pop("payment_form", None)
            or PaymentMethodForm(
                initial={"method": self.checkout_session.payment_method()},
                for_institution=institution_checkout.transfer_offered(self.request),
            ),
            "institution_form": kwargs.pop("institution_form", None)
            or institution_checkout.choice_form(self.request, self.checkout_session),
            "submission_key": self.submission_key_for_form(),
        }
        context.update(kwargs)
        return context


# The thank-you page's reads (every order shows it), from the primary: the order was
# written there just now.
def _placed_order(order):
    return list(Order.objects.using("default").filter(pk=order).select_related("shipping_address"))


_order_rows = {
    "lines": lambda order: list(
        Line.objects.using("default")
        .filter(order_id=order)
        .select_related("product")
        .order_by("pk")
    ),
    "sources": lambda order: list(
        Source.objects.using("default")
        .filter(order_id=order)
        .select_related("source_type")
        .order_by("pk")
    ),
    "surcharges": lambda order: list(
        Surcharge.objects.using("default").filter(order_id=order).order_by("pk")
    ),
}


class ThankYouView(oscar_views.ThankYouView):
    def get_object(self, queryset=None):
        """The order just placed, with what the page shows: its address, lines and
        products, payment sources and their types, and surcharges."""
        order_id = self.request.session.get("checkout_order_id")
        if self.request.user.is_superuser or order_id is None:
            order = super().get_object(queryset)  # Oscar's: staff may name any order
        else:
            order = next(iter(_placed_order(order=order_id)), None)
        if order is not None:
            for relation, read in _order_rows.items():
                keep_as_prefetched(order, relation, read(order=order.pk))
        return order

    def get_context_data(self, **kwargs):
        # Oscar's also marks the order as tracked for its Google Analytics snippet, which
        # the shop's page does not include: one write per order saved.
        context = super(oscar_views.ThankYouView, self).get_context_data(**kwargs)
        context["parts"] = self.parts_of_checkout(context.get("object"))
        return context

    def parts_of_checkout(self, order):
        """Every order of a split basket's checkout (``shop.order.groups``), with what the
        page shows of each and its team's name; None for an order placed on its own."""
        if order is None or not order.checkout_group_id:
            return None
        parts = groups.orders_of_group(order)
        for part in parts:
            for relation, read in _order_rows.items():
                keep_as_prefetched(part, relation, read(order=part.pk))
            lines = list(part.lines.all())
            part.team_name = lines[0].partner_name if lines else ""
        return parts

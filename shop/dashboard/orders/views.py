"""The order dashboard, cut down to a team's own lines.

Oscar lets a partner user open any order that holds one of their lines, then
shows every line of it, the whole order's money, and lets them change the
order's status or act on another team's line. Here a team member (see
``shop.desk.roles``) sees only their teams' lines and totals, may change only
those lines' status (the order's status follows its lines, ``shop.order.status``)
and may not touch order-level status, payments, or another team's note.
Coordinators (staff) keep Oscar's full views.
"""

from decimal import Decimal as D

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _
from oscar.apps.dashboard.orders import views as oscar_views
from oscar.apps.order.exceptions import InvalidOrderStatus
from oscar.apps.payment.exceptions import PaymentError
from oscar.core.loading import get_model

from shop.core.exports import safe_cell
from shop.desk.roles import is_team_member, team_ids
from shop.order import life
from shop.order import status as order_status

Order = get_model("order", "Order")
Line = get_model("order", "Line")
OrderNote = get_model("order", "OrderNote")
Transaction = get_model("payment", "Transaction")

TEAM_ORDER_ACTIONS = ("save_note", "delete_note")
TEAM_LINE_ACTIONS = ("change_line_statuses", "create_shipping_event")


def team_lines(user):
    """The order lines a dashboard user may see: all for staff, else their teams' lines."""
    ids = team_ids(user)
    lines = Line.objects.all()
    return lines if ids is None else lines.filter(partner_id__in=ids)


def queryset_orders_for_user(user):
    """Oscar's rule, plus each order annotated with the user's share of it.

    ``team_total``/``team_items`` are what the user's teams sold in the order
    (everything, for staff), so a list never shows another team's money.
    """
    queryset = oscar_views.queryset_orders_for_user(user)
    ids = team_ids(user)
    if ids is None:
        return queryset
    own = Line.objects.filter(order=OuterRef("pk"), partner_id__in=ids).values("order")
    money = DecimalField(max_digits=12, decimal_places=2)
    return queryset.annotate(
        team_total=Coalesce(
            Subquery(own.annotate(s=Sum("line_price_incl_tax")).values("s")),
            Value(D("0")),
            output_field=money,
        ),
        team_items=Coalesce(Subquery(own.annotate(s=Sum("quantity")).values("s")), Value(0)),
    )


def get_order_for_user_or_404(user, number):
    try:
        return queryset_orders_for_user(user).get(number=number)
    except Order.DoesNotExist as error:
        raise Http404() from error


def status_change_message(old_status, new_status):
    """Oscar's message (and order note) for an order's status change, naming the statuses
    in the reader's language; the order still stores the Chinese status."""
    return _("Order status changed from '%(old_status)s' to '%(new_status)s'") % {
        "old_status": order_status.label(old_status),
        "new_status": order_status.label(new_status),
    }


class StoredStatusMixin:
    """Oscar's status selects post the text they show, which on English pages is a label
    (``status_texts``); it is turned back into the stored status before Oscar reads it."""

    def post(self, request, *args, **kwargs):
        if "new_status" in request.POST:
            request.POST = request.POST.copy()
            request.POST["new_status"] = order_status.stored(request.POST["new_status"].strip())
        return super().post(request, *args, **kwargs)


class PostedIdsMixin:
    """Oscar filters orders, lines and notes by the posted ids as they stand and reads a
    line's quantity without checking it was sent; a non-number id or a missing quantity
    was a 500. A non-number id becomes 0 (no such row: Oscar says so) and a missing
    quantity an empty one (Oscar asks for a valid quantity)."""

    ID_FIELDS = ("selected_order", "selected_line", "note_id")

    def post(self, request, *args, **kwargs):
        posted = request.POST.copy()
        for name in self.ID_FIELDS:
            if name in posted:
                posted.setlist(
                    name, [v if v.isascii() and v.isdigit() else "0" for v in posted.getlist(name)]
                )
        for line_id in posted.getlist("selected_line"):
            posted.setdefault(f"selected_line_qty_{line_id}", "")
        request.POST = posted
        return super().post(request, *args, **kwargs)


class OrderListView(PostedIdsMixin, StoredStatusMixin, oscar_views.OrderListView):
    def dispatch(self, request, *args, **kwargs):
        if is_team_member(request.user):
            self.actions = ("download_selected_orders",)
        response = super().dispatch(request, *args, **kwargs)
        return response

    def get_queryset(self):
        # Oscar's dispatch set base_queryset from its own function; use ours instead.
        self.base_queryset = queryset_orders_for_user(self.request.user).order_by("-date_placed")
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["desk_team_view"] = is_team_member(self.request.user)
        return ctx

    def get_search_filter_descriptions(self):
        descriptions = super().get_search_filter_descriptions()
        stored = (getattr(self.form, "cleaned_data", None) or {}).get("status")
        if stored:  # Oscar names the stored status; name it in the reader's language
            oscar_says = _("Order status is {order_status}")
            descriptions = [
                oscar_says.format(order_status=order_status.label(stored))
                if text == oscar_says.format(order_status=stored)
                else text
                for text in descriptions
            ]
        return descriptions

    def get_row_values(self, order):
        row = super().get_row_values(order)
        row["status"] = order_status.label(order.status)
        if hasattr(order, "team_total"):
            row["value"] = D(str(order.team_total)).quantize(
                D("0.01")
            )  # SQLite returns a bare number
            row["num_items"] = order.team_items
        return {column: safe_cell(value) for column, value in row.items()}  # for the CSV

    def change_order_statuses(self, request, orders):
        if is_team_member(request.user):
            raise PermissionDenied
        return super().change_order_statuses(request, orders)

    def change_order_status(self, request, order):
        """Oscar's, with ``status_change_message``."""
        new_status = request.POST["new_status"].strip()
        if new_status not in order.available_statuses():
            return super().change_order_status(request, order)  # its errors
        old_status = order.status
        try:
            self.get_handler(user=request.user).handle_order_status_change(order, new_status)
        except PaymentError as error:
            messages.error(
                request, _("Unable to change order status due to payment error: %s") % error
            )
            return
        message = status_change_message(old_status, new_status)
        messages.info(request, message)
        order.notes.create(user=request.user, message=message, note_type=OrderNote.SYSTEM)


class OrderDetailView(PostedIdsMixin, StoredStatusMixin, oscar_views.OrderDetailView):
    def get_object(self, queryset=None):
        return get_order_for_user_or_404(self.request.user, self.kwargs["number"])

    def get_order_lines(self):
        ids = team_ids(self.request.user)
        lines = self.object.lines.select_related("partner", "product")
        return lines if ids is None else lines.filter(partner_id__in=ids)

    def handle_order_action(self, request, order, action):
        if is_team_member(request.user) and action not in TEAM_ORDER_ACTIONS:
            return self.reload_page(
                error=_("订单状态随各工作队的商品状态自动变化，您只能修改本队商品的状态。")
            )
        return super().handle_order_action(request, order, action)

    def handle_line_action(self, request, order, action):
        if is_team_member(request.user) and action not in TEAM_LINE_ACTIONS:
            return self.reload_page(error=_("您不能对这些商品执行此操作。"))
        return super().handle_line_action(request, order, action)

    def change_line_statuses(self, request, order, lines, quantities):
        """Oscar's, naming the statuses in the reader's language in the message and the
        order note (the lines still store the Chinese status)."""
        new_status = request.POST["new_status"].strip()
        if not new_status or any(new_status not in line.available_statuses() for line in lines):
            return super().change_line_statuses(request, order, lines, quantities)  # its errors
        changes = []
        for line in lines:
            changes.append(
                _("Status of line #%(line_id)d changed from '%(old_status)s' to '%(new_status)s'")
                % {
                    "line_id": line.id,
                    "old_status": order_status.label(line.status),
                    "new_status": order_status.label(new_status),
                }
            )
        message = "\n".join(changes)
        life.lines_by_hand(order, lines, new_status, user=request.user, message=message)
        messages.info(request, message)
        return self.reload_page()

    def change_order_status(self, request, order):
        """Oscar's, with ``status_change_message``."""
        form = self.get_order_status_form()
        if not form.is_valid():
            return super().change_order_status(request, order)  # its error
        old_status, new_status = order.status, form.cleaned_data["new_status"]
        message = status_change_message(old_status, new_status)
        handler = self.get_handler(user=request.user)
        try:
            handler.handle_order_status_change(order, new_status, note_msg=message)
        except PaymentError as error:
            messages.error(
                request, _("Unable to change order status due to payment error: %s") % error
            )
        except InvalidOrderStatus:
            messages.error(
                request,
                _("Unable to change order status as the requested new status is not valid"),
            )
        else:
            messages.info(request, message)
        return self.reload_page()

    def delete_note(self, request, order):
        if is_team_member(request.user):
            note = order.notes.filter(pk=request.POST.get("note_id")).first()
            if note is None or note.user_id != request.user.pk:
                messages.error(request, _("只能删除自己写的备注。"))
                return self.reload_page()
        return super().delete_note(request, order)

    def get_order_note_form(self):
        note_id = self.kwargs.get("note_id")
        if note_id and is_team_member(self.request.user):
            if not self.object.notes.filter(pk=note_id, user=self.request.user).exists():
                raise Http404()
        return super().get_order_note_form()

    def get_payment_transactions(self):
        if is_team_member(self.request.user):
            return Transaction.objects.none()
        return super().get_payment_transactions()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        team_view = is_team_member(self.request.user)
        ctx["desk_team_view"] = team_view
        if team_view:
            lines = ctx["lines"]
            ctx["team_total"] = sum((line.line_price_incl_tax for line in lines), D("0"))
            ctx["other_team_lines"] = self.object.lines.exclude(
                pk__in=[line.pk for line in lines]
            ).count()
        return ctx


class LineDetailView(oscar_views.LineDetailView):
    def get_object(self, queryset=None):
        order = get_order_for_user_or_404(self.request.user, self.kwargs["number"])
        try:
            return team_lines(self.request.user).get(order=order, pk=self.kwargs["line_id"])
        except Line.DoesNotExist as error:
            raise Http404() from error


class ShippingAddressUpdateView(oscar_views.ShippingAddressUpdateView):
    """A team member may fix the address only of an order that is wholly their teams'."""

    def get_object(self, queryset=None):
        order = get_order_for_user_or_404(self.request.user, self.kwargs["number"])
        ids = team_ids(self.request.user)
        if ids is not None and order.lines.exclude(partner_id__in=ids).exists():
            raise PermissionDenied
        return super().get_object(queryset)


class OrderStatsView(oscar_views.OrderStatsView):
    def get_stats(self, filters):
        stats = super().get_stats(filters)
        stats["order_status_breakdown"] = [  # links keep the stored status, text translated
            dict(row, status=order_status.StatusText(row["status"]))
            for row in stats["order_status_breakdown"]
        ]
        ids = team_ids(self.request.user)
        if ids is not None:
            orders = queryset_orders_for_user(self.request.user).filter(**filters)
            lines = Line.objects.filter(order__in=orders.values("pk"), partner_id__in=ids)
            agg = lines.aggregate(n=Count("pk"), revenue=Sum("line_price_incl_tax"))
            stats["total_lines"] = agg["n"]
            stats["total_revenue"] = agg["revenue"] or D("0.00")
        return stats

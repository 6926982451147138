"""The buyer's order line address (``/shop/accounts/orders/<number>/<line>/``).

Oscar's customer app serves it only to take a "buy again" POST: a GET looks for a
template Oscar does not ship, and a line number not in the order raises, both 500s.
Here a GET goes to the order page and a wrong line is a 404.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from oscar.apps.customer import views as customer_views
from oscar.core.loading import get_model

Line = get_model("order", "Line")


class OrderLineView(LoginRequiredMixin, customer_views.OrderLineView):
    def get(self, request, *args, **kwargs):
        self.get_object()  # 404 for an order or line that is not hers
        return redirect("customer:order", self.kwargs["order_number"])

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Line.DoesNotExist as error:
            raise Http404 from error

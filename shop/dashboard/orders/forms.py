"""Oscar's order search and status forms with each status labelled in the reader's
language; the values stay the stored (Chinese) statuses."""

from oscar.apps.dashboard.orders import forms as oscar_forms

from shop.order.status import label


def _labelled(choices):
    return [(value, label(value) if value else text) for value, text in choices]


class OrderSearchForm(oscar_forms.OrderSearchForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _labelled(self.fields["status"].choices)


class OrderStatusForm(oscar_forms.OrderStatusForm):
    def __init__(self, order, *args, **kwargs):
        super().__init__(order, *args, **kwargs)
        self.fields["new_status"].choices = _labelled(self.fields["new_status"].choices)

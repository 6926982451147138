from django.db import models
from oscar.apps.order.abstract_models import AbstractOrder


class Order(AbstractOrder):
    class Meta(AbstractOrder.Meta):
        # The order dashboards filter by status and sort by date; buyers list their own.
        indexes = [
            models.Index(fields=["status", "-date_placed"], name="order_status_date_idx"),
            models.Index(fields=["user", "-date_placed"], name="order_user_date_idx"),
        ]


from oscar.apps.order.models import *  # noqa: E402,F403

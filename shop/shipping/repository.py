"""Which delivery choices a basket can have.

Each active pickup point of the teams whose products are in the basket becomes
one Oscar shipping method, so the choice is stored on the order like any other
shipping method and Oscar's checkout validates it.
"""

from oscar.apps.shipping import repository

from fulfilment.models import PickupPoint
from shop.shipping.methods import PickupAtPoint


class Repository(repository.Repository):
    def get_available_shipping_methods(self, basket, user=None, shipping_addr=None, request=None, **kwargs):
        points = PickupPoint.objects.filter(is_active=True).select_related("team")
        team_ids = {
            line.stockrecord.partner_id for line in basket.all_lines() if line.stockrecord_id
        }
        if team_ids:
            points = points.filter(team_id__in=team_ids)
        return [PickupAtPoint(point) for point in points]

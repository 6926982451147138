"""Who belongs to which institution, and what that opens to them: ordering under it at
checkout, its private drop-off point, bigger baskets, its orders and statements.

Every permission check of the institution pages and the checkout hook goes through here.
"""

from django.conf import settings

from shop.institutions.models import Institution
from shop.speed import bump_counter, counter, request_cache


def institutions_of(user):
    """The active institutions ``user`` belongs to (none for a guest)."""
    if user is None or not user.is_authenticated or not _kept()["any"]:
        return Institution.objects.none()
    return Institution.objects.filter(members=user, is_active=True)


def is_member(user, institution):
    return institutions_of(user).filter(pk=institution.pk).exists()


def may_see_all(user):
    """The alliance coordinator (staff) sees every institution's orders and totals."""
    return user.is_authenticated and user.is_staff


# Checkout asks on every page which pickup points are private drop-offs; the answer
# comes from the shared cache under a generation that any save or delete of an
# institution moves on (``apps.InstitutionsConfig.ready``), so checkout asks the
# database nothing more for guests, nor for anyone while no institution exists.
GENERATION_KEY = "institutions:generation"
KEPT_SECONDS = 10 * 60
_read_here = request_cache.LocalCopies()


@request_cache.read_with_every_request
def _generation_keys():
    return [GENERATION_KEY]


def forget_kept(**_ignored):
    bump_counter(GENERATION_KEY)


def _read_kept():
    rows = Institution.objects.values_list("pk", "drop_off_id")
    return {"any": bool(rows), "private": {point: pk for pk, point in rows if point}}


def _kept():
    """{"any": whether an institution exists, "private": {drop-off point id: institution
    id}}, kept (see above)."""
    key = f"institutions:kept:{counter(GENERATION_KEY)}"
    return _read_here.get_or_read(key, _read_kept, KEPT_SECONDS)


def _member_of(user_id):
    return set(
        Institution.objects.filter(members__id=user_id, is_active=True).values_list("pk", flat=True)
    )


def closed_point_ids(user_id):
    """Ids of pickup points that are an institution's private drop-off and not open to the
    user ``user_id`` (None for a guest): checkout does not offer them
    (``shop.shipping.repository``). At most one query, only for a signed-in buyer while
    some institution has a drop-off."""
    private = _kept()["private"]
    if not private:
        return set()
    mine = _member_of(user_id) if user_id is not None else set()
    return {point for point, institution in private.items() if institution not in mine}


def basket_threshold(user_id):
    """How many units one basket may hold: residents are held to Oscar's threshold; an
    institution's members may place bulk orders up to ``INSTITUTION_MAX_BASKET_QUANTITY``
    (room in the car and households' supply still decide what a run can take)."""
    if user_id is not None and _kept()["any"] and _member_of(user_id):
        return settings.INSTITUTION_MAX_BASKET_QUANTITY
    return settings.OSCAR_MAX_BASKET_QUANTITY_THRESHOLD

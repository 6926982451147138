from django import template

from shop.waitlist.models import WaitingBuyer

register = template.Library()


@register.simple_tag
def waitlist_entry(request, product):
    """The entry this visitor is waiting with for ``product`` (signed in, or joined in this
    session), else None."""
    entries = WaitingBuyer.objects.filter(product=product, told_at=None, cancelled_at=None)
    if request.user.is_authenticated:
        found = entries.filter(user=request.user).first()
        if found is not None:
            return found
    token = request.session.get(f"waitlist-{product.pk}") if hasattr(request, "session") else None
    return entries.filter(token=token).first() if token else None

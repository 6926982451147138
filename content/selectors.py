"""The questions other parts of the shop ask of the stories: which stories talk about
these eggs (the product page, ``catalogue.stories``), and the ``ProductMention`` rows a
published story's product blocks leave behind.

``stories_for_product`` finds a product's stories from the story's related products and
from the product blocks in its body (mirrored into ``ProductMention`` on publish). What
the pages themselves show is in ``content.page_context``; this module reads the page
models, and the page models never import it.
"""

from django.db.models import Q

from catalogue.models import Product
from content.models import ProductMention, StoryPage
from content.page_context import mentioned_product_ids


def sync_product_mentions(story):
    """Mirror the products a published story's body shows into ``ProductMention``."""
    wanted = set(
        Product.objects.filter(pk__in=mentioned_product_ids(story.body)).values_list(
            "pk", flat=True
        )
    )
    have = set(ProductMention.objects.filter(story=story).values_list("product_id", flat=True))
    ProductMention.objects.filter(story=story, product_id__in=have - wanted).delete()
    ProductMention.objects.bulk_create(
        [ProductMention(story=story, product_id=pk) for pk in wanted - have]
    )


def stories_for_product(product, limit=6):
    """Live public stories that talk about ``product``, newest first."""
    ids = StoryPage.objects.filter(
        Q(related_products=product) | Q(product_mentions__product=product)
    ).values("pk")
    return list(
        StoryPage.objects.live()
        .public()
        .filter(pk__in=ids)
        .select_related("cover_image")
        .order_by("-date", "-pk")[:limit]
    )


def stories_about(product=None, team=None, village=None, limit=6):
    """Live public stories about a product, team or village, newest first: what the
    catalogue's pages show (registered with ``catalogue.stories`` by ``content.apps``)."""
    if product is not None:
        return stories_for_product(product, limit=limit)
    filters = {"team": team} if team is not None else {"village": village}
    return list(
        StoryPage.objects.live()
        .public()
        .filter(**filters)
        .select_related("cover_image")
        .distinct()
        .order_by("-date", "-pk")[:limit]
    )

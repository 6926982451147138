"""Views outside the page tree: the printable product poster and the sitemap."""

from django.shortcuts import get_object_or_404, render
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

from catalogue.models import Product
from content.sitemaps import SITEMAPS
from shop.core.qr import qr_svg


def product_poster(request, pk):
    """An A4 poster for a product: photo, price line, QR code to its shop page."""

    product = get_object_or_404(Product.objects.browsable().filter(is_public=True), pk=pk)
    url = request.build_absolute_uri(product.get_absolute_url())
    image = product.primary_image()
    return render(
        request,
        "content/product_poster.html",
        {
            "product": product,
            "title": product.get_title(),
            "text": product.season_note or product.description,
            "image_url": image.original.url if getattr(image, "original", None) else "",
            "url": url,
            "qr": qr_svg(url),
        },
    )


def sitemap(request):
    return wagtail_sitemap(request, sitemaps=SITEMAPS)

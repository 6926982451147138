"""sitemap.xml: every live Wagtail page plus every public product."""

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from wagtail.contrib.sitemaps import Sitemap as PageSitemap

from catalogue.models import Product


class ProductSitemap(PageSitemap):
    """Products with their shop URL, absolute against the requested host."""

    changefreq = "weekly"
    limit = 5000
    _urls = DjangoSitemap._urls

    def items(self):

        return (
            Product.objects.browsable()
            .filter(is_public=True)
            .only("pk", "slug", "date_updated")
            .order_by("pk")
        )

    def location(self, obj):
        return obj.get_absolute_url()

    def lastmod(self, obj):
        return obj.date_updated

    def get_domain(self, site=None):
        return self.request.get_host()

    def get_protocol(self, protocol=None):
        return protocol or ("https" if self.request.is_secure() else "http")


SITEMAPS = {"pages": PageSitemap, "products": ProductSitemap}

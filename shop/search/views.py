"""One search box for the whole site: products and stories together.

The view only reads the query and paginates; parsing, ranking and highlighting live in
``shop.search.results``.
"""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import RedirectView, TemplateView

from shop.search.results import MAX_QUERY_LENGTH, PAGE_SIZE, SiteSearch


class SiteSearchView(TemplateView):
    template_name = "search/results.html"
    per_page = PAGE_SIZE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        raw = self.request.GET.get("q", "")
        query = " ".join(raw.split())
        context["query"] = query[:MAX_QUERY_LENGTH]
        if not query:
            context["notice"] = _("请输入要搜索的内容，比如“鸡蛋”或村名。")
            return context
        if len(query) > MAX_QUERY_LENGTH:
            context["notice"] = _("搜索词太长了，只按前 %(n)d 个字搜索。") % {"n": MAX_QUERY_LENGTH}
            query = query[:MAX_QUERY_LENGTH]
        results = SiteSearch().run(query)
        paginator = Paginator(results, self.per_page)
        try:
            page = paginator.page(self.request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page = paginator.page(1)
        context["results"] = page
        return context


class CatalogueView(RedirectView):
    """Oscar's catalogue module takes its browse views from the search app when it is
    imported (Oscar browses through haystack). The shop's catalogue app serves its own
    (``catalogue.views``); these names answer that import without loading haystack and,
    should anything route to them, send the buyer to the shop's catalogue."""

    query_string = True

    def get_redirect_url(self, *args, **kwargs):
        self.url = reverse("catalogue:index")
        return super().get_redirect_url()


ProductCategoryView = CatalogueView

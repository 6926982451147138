"""One search box for the whole site: products and stories together."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Q
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from catalogue.selectors import product_card_queryset

MAX_QUERY_LENGTH = 100


class SiteSearchView(TemplateView):
    template_name = "search/results.html"
    per_page = 20

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
        results = self.search(query)
        paginator = Paginator(results, self.per_page)
        try:
            page = paginator.page(self.request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page = paginator.page(1)
        context["results"] = page
        return context

    def search(self, query):
        from content.models import StoryPage

        words = query.split()
        product_filter = Q()
        story_filter = Q()
        for word in words:
            product_filter &= Q(title__icontains=word) | Q(description__icontains=word) | Q(
                origin_village__name__icontains=word
            )
            story_filter &= Q(title__icontains=word) | Q(summary__icontains=word)
        products = [
            {"kind": "product", "object": p}
            for p in product_card_queryset().filter(product_filter).distinct()[:200]
        ]
        stories = [
            {"kind": "story", "object": s}
            for s in StoryPage.objects.live().public().filter(story_filter)[:100]
        ]
        return products + stories

"""RSS and Atom feeds of the published stories under a story index."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

FEED_SIZE = 20


class StoryFeed(Feed):
    def __init__(self, index):
        super().__init__()
        self.index = index

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return _("521助农小店 · %(title)s") % {"title": self.index.title}

    def link(self):
        return self.request.build_absolute_uri(self.index.get_url(self.request) or "/")

    def description(self):
        return _("驻村工作队和农户的故事：一枚鸡蛋从山坡到餐桌的路。")

    def items(self):
        return self.index.newest_stories()[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return self.request.build_absolute_uri(item.get_url(self.request))

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return item.team.name if item.team_id else None

    def item_categories(self, item):
        return [item.village.name] if item.village_id else []


class AtomStoryFeed(StoryFeed):
    feed_type = Atom1Feed
    subtitle = StoryFeed.description

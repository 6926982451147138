"""Demo content beyond the stories: shop blocks and tags on stories, news, simple pages, impact.

Called by ``shop.demo.loader.DemoLoader.load_pages``; idempotent like the loader
(pages are found by slug under their parent before anything is created).
"""

import datetime

from wagtail.rich_text import RichText

from catalogue.models import Household
from content.models import ImpactPage, NewsIndexPage, NewsPage, StandardPage
from shop.demo import data


def extra_blocks(slug, loader):
    """StreamField data for the shop blocks ``data.STORY_EXTRAS`` adds to a story."""
    blocks = []
    for block_type, value in data.STORY_EXTRAS.get(slug, {}).get("blocks", []):
        if block_type == "product":
            title, note = value
            blocks.append(("product", {"product": loader.products[title], "note": note}))
        elif block_type == "product_list":
            heading, titles = value
            blocks.append(
                (
                    "product_list",
                    {"heading": heading, "products": [loader.products[t] for t in titles]},
                )
            )
        elif block_type == "household":
            village_name, public_name, text = value
            village, _team = loader.villages[village_name]
            household = Household.objects.filter(village=village, public_name=public_name).first()
            if household is not None:
                blocks.append(("household", {"household": household, "text": text}))
        elif block_type == "team":
            blocks.append(("team", {"team": loader.teams[value]}))
        elif block_type == "live_figure":
            village = loader.villages[value["village"]][0] if value.get("village") else None
            team = loader.teams[value["team"]] if value.get("team") else None
            blocks.append(
                (
                    "live_figure",
                    {
                        "metric": value["metric"],
                        "team": team,
                        "village": village,
                        "year": None,
                        "label": value.get("label", ""),
                    },
                )
            )
    return blocks


def tag_story(story, slug):
    extras = data.STORY_EXTRAS.get(slug, {})
    story.tags.set(extras.get("tags", []))
    story.featured = extras.get("featured", False)


def _child(parent, model, slug, **fields):
    fields.setdefault("title_en", data.TITLES_EN.get(slug, ""))
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
    else:
        for key, value in fields.items():
            setattr(page, key, value)
    page.save_revision().publish()
    return page


def load_other_pages(home):
    index = _child(
        home,
        NewsIndexPage,
        data.NEWS_INDEX["slug"],
        title=data.NEWS_INDEX["title"],
        intro=data.NEWS_INDEX["intro"],
    )
    for item in data.NEWS:
        _child(
            index,
            NewsPage,
            item["slug"],
            title=item["title"],
            date=datetime.date.fromisoformat(item["date"]),
            summary=item["summary"],
            body=[("paragraph", RichText(item["body"]))],
        )
    for item in data.SIMPLE_PAGES:
        body = []
        for block_type, value in item.get("body", []):
            body.append((block_type, RichText(value) if block_type == "paragraph" else value))
        if item.get("faq"):
            body.append(("faq", [{"question": q, "answer": RichText(a)} for q, a in item["faq"]]))
        _child(
            home, StandardPage, item["slug"], title=item["title"], intro=item["intro"], body=body
        )
    _child(
        home,
        ImpactPage,
        data.IMPACT_PAGE["slug"],
        title=data.IMPACT_PAGE["title"],
        intro=data.IMPACT_PAGE["intro"],
    )

"""Loads the demo alliance. Idempotent: every object is found by a natural key first."""

import datetime
import io
from decimal import Decimal as D
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.sites.models import Site as DjangoSite
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from catalogue.models import Household, Village
from content.models import HomePage, StoryIndexPage, StoryPage
from fulfilment import supply
from fulfilment.models import DeliveryRun, DeliveryZone, OrderRun, PickupPoint, RunPickup
from shop.demo import data
from shop.demo import pages as content_demo
from shop.demo.history import load_history
from shop.demo.images import draw_picture
from shop.desk import roles
from shop.institutions.models import Institution, InstitutionOrder
from shop.order import status as statuses
from shop.standing.demo import load_standing_orders

Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductImage = get_model("catalogue", "ProductImage")
Category = get_model("catalogue", "Category")
ProductCategory = get_model("catalogue", "ProductCategory")
Image = get_image_model()
User = get_user_model()


class DemoLoader:
    def __init__(self, log=print):
        self.log = log
        self.teams = {}
        self.villages = {}
        self.products = {}

    @transaction.atomic
    def run(self):
        self.load_teams_and_villages()
        self.load_households()
        self.load_catalogue()
        self.load_pickup_points()
        self.load_delivery_runs()
        self.load_pages()
        self.load_site_domain()
        users = self.load_users()
        past_orders = load_history(
            self.teams.values(),
            self.products.values(),
            customer=User.objects.filter(username="buyer").first(),
        )
        load_standing_orders()  # the demo buyer's weekly eggs
        self.load_institution()
        self.log(
            f"Demo data ready: {Partner.objects.count()} teams, {Village.objects.count()} villages, "
            f"{Household.objects.count()} households, {Product.objects.count()} products, "
            f"{StoryPage.objects.count()} stories, {past_orders} past orders added."
        )
        return users

    # --- alliance ------------------------------------------------------------------

    def load_teams_and_villages(self):
        village_rows = {row[0]: row for row in data.VILLAGES}
        for team_data in data.TEAMS:
            team, _ = Partner.objects.update_or_create(
                code=team_data["code"],
                defaults={
                    "name": team_data["name"],
                    "slug": team_data["code"],
                    "institution": team_data["institution"],
                    "contact_name": team_data["contact_name"],
                    "contact_phone": team_data["contact_phone"],
                    "description": team_data["description"],
                },
            )
            self.teams[team.code] = team
            for village_name in team_data["villages"]:
                name, slug, township, lat, lng, description = village_rows[village_name]
                village, _ = Village.objects.update_or_create(
                    slug=slug,
                    defaults={
                        "name": name,
                        "township": township,
                        "county": "南山县",
                        "province": "河南省",
                        "description": description,
                        "latitude": D(str(lat)),
                        "longitude": D(str(lng)),
                    },
                )
                village.teams.add(team)
                self.villages[name] = (village, team)

    def load_households(self):
        index = 0
        for village, team in self.villages.values():
            for n in range(5):
                surname = data.SURNAMES[index % len(data.SURNAMES)]
                given = data.GIVEN[(index * 7) % len(data.GIVEN)]
                title = data.TITLES[(index + n) % len(data.TITLES)]
                status = data.STATUSES[n % len(data.STATUSES)]
                Household.objects.update_or_create(
                    village=village,
                    public_name=f"{surname}{title}",
                    defaults={
                        "team": team,
                        "real_name": f"{surname}{given}",
                        "phone": f"139{37100000 + index * 137:08d}",
                        "status": status,
                        "consent_name": n != 4,
                        "consent_photo": n % 2 == 0,
                        "produces": "",
                        "latitude": village.latitude + D(n) / 500,
                        "longitude": village.longitude - D(n) / 400,
                    },
                )
                index += 1

    # --- catalogue ------------------------------------------------------------------

    def load_catalogue(self):
        product_class, _ = ProductClass.objects.get_or_create(
            slug="farm-produce",
            defaults={"name": "农产品", "requires_shipping": True, "track_stock": True},
        )
        categories = {}
        for name, slug in data.CATEGORIES:
            category = Category.objects.filter(slug=slug).first()
            if category is None:
                category = Category.add_root(name=name, slug=slug, is_public=True)
            words = data.CATEGORY_WORDS_EN.get(name, "")
            english = data.CATEGORY_NAMES_EN.get(name, "")
            if (category.search_words_en, category.name_en) != (words, english):
                category.search_words_en, category.name_en = words, english
                category.save(update_fields=["search_words_en", "name_en"])
            categories[name] = category
        kind_by_category = {name: slug for name, slug in data.CATEGORIES}

        for seq, row in enumerate(data.PRODUCTS):
            (
                title,
                cat_name,
                unit,
                step,
                price,
                stock,
                village_name,
                weight,
                kind,
                season,
                storage,
                description,
            ) = row
            village, team = self.villages[village_name]
            upc = f"NZ{seq + 1:04d}"
            product, created = Product.objects.update_or_create(
                upc=upc,
                defaults={
                    "title": title,
                    "structure": Product.STANDALONE,
                    "product_class": product_class,
                    "description": f"<p>{description}</p>",
                    "unit": unit,
                    "order_step": step,
                    "origin_village": village,
                    "season_note": season,
                    "storage_advice": storage,
                    "weight_per_unit_g": weight,
                    "search_words_en": data.PRODUCT_WORDS_EN.get(title, ""),
                    "price_per_jin": data.PRICED_BY_WEIGHT.get(title, (None, None))[0],
                    "estimated_jin": data.PRICED_BY_WEIGHT.get(title, (None, None))[1],
                    "is_public": True,
                },
            )
            # Stagger creation dates so "newest" means something in the demo.
            Product.objects.filter(pk=product.pk).update(
                date_created=product.date_created.replace(year=2026, month=11, day=1)
                + datetime.timedelta(hours=seq * 5)
            )
            ProductCategory.objects.get_or_create(product=product, category=categories[cat_name])
            suppliers = list(village.households.order_by("pk"))[seq % 3 : seq % 3 + 3]
            product.households.set(suppliers)
            StockRecord.objects.update_or_create(
                product=product,
                partner=team,
                defaults={
                    "partner_sku": upc,
                    "price_currency": "CNY",
                    "price": price,
                    "num_in_stock": stock,
                },
            )
            if not product.images.exists():
                picture = draw_picture(kind_by_category.get(cat_name, kind), seed=seq)
                image = ProductImage(product=product, caption=title, display_order=0)
                image.original.save(f"{upc}.webp", ContentFile(picture), save=False)
                image.save()
            self.products[title] = product
        for village, _team in self.villages.values():
            for household in village.households.all():
                names = [p.title for p in household.products.all()[:3]]
                if names and household.produces != "、".join(names):
                    household.produces = "、".join(names)
                    household.save(update_fields=["produces"])

    def load_pickup_points(self):
        for code, name, address, window, lat, lng in data.PICKUP_POINTS:
            PickupPoint.objects.update_or_create(
                team=self.teams[code],
                name=name,
                defaults={
                    "address": address,
                    "window": window,
                    "latitude": D(str(lat)),
                    "longitude": D(str(lng)),
                    "is_active": True,
                },
            )

    def load_delivery_runs(self):
        """Two open runs per team (in 2 and 5 days), a home-delivery zone, and supply
        commitments that share each product's demo stock over the two runs."""

        today = timezone.localdate()
        for team in self.teams.values():
            zone, _ = DeliveryZone.objects.update_or_create(
                team=team,
                name=data.DELIVERY_ZONE["name"],
                defaults={key: value for key, value in data.DELIVERY_ZONE.items() if key != "name"},
            )
            village = team.villages.order_by("pk").first()
            for days in (2, 5):
                date = today + datetime.timedelta(days=days)
                cutoff = timezone.make_aware(
                    datetime.datetime.combine(
                        date - datetime.timedelta(days=1), datetime.time(20, 0)
                    )
                )
                run, _ = DeliveryRun.objects.update_or_create(
                    team=team,
                    date=date,
                    departure_time=datetime.time(5, 30),
                    defaults={
                        "cutoff": cutoff,
                        "capacity_kg": D("400"),
                        "capacity_crates": 12,
                        "start_label": f"{village.name}村委会",
                        "start_latitude": village.latitude,
                        "start_longitude": village.longitude,
                    },
                )
                if not run.events.exists():
                    run.events.create(to_status=run.status, note="演示数据")
                run.zones.add(zone)
                for hour, point in enumerate(team.pickup_points.order_by("pk")):
                    RunPickup.objects.update_or_create(
                        run=run,
                        point=point,
                        defaults={
                            "window_start": datetime.time(8 + hour * 2, 30),
                            "window_end": datetime.time(10 + hour * 2, 30),
                        },
                    )
                for product in self.products.values():
                    record = product.stockrecords.filter(partner=team).first()
                    suppliers = list(product.households.filter(team=team))
                    season = data.SEASON_MONTHS.get(product.title)
                    if record is None or not suppliers or (season and date.month not in season):
                        supply.SupplyCommitment.objects.filter(run=run, product=product).delete()
                        continue
                    stock = next(row[5] for row in data.PRODUCTS if row[0] == product.title)
                    share = max(
                        product.order_step,
                        stock // (2 * len(suppliers)) // product.order_step * product.order_step,
                    )
                    for household in suppliers:
                        supply.SupplyCommitment.objects.update_or_create(
                            run=run,
                            household=household,
                            product=product,
                            defaults={"quantity": share},
                        )
            supply.sync_stock(team)

    def load_institution(self):
        """The hospital's trade union: its canteen door as a private drop-off on the team's
        open runs (11:30–12:30), its buyer, and a few delivered orders under it."""

        spec = data.INSTITUTION
        team = self.teams[spec["team"]]
        name, address, window = spec["drop_off"]
        point, _ = PickupPoint.objects.update_or_create(
            team=team,
            name=name,
            defaults={
                "address": address,
                "window": window,
                "latitude": D("34.752500"),
                "longitude": D("113.625600"),
                "is_active": True,
            },
        )
        for run in DeliveryRun.objects.filter(team=team, status=DeliveryRun.Status.OPEN):
            RunPickup.objects.update_or_create(
                run=run,
                point=point,
                defaults={
                    "window_start": datetime.time(11, 30),
                    "window_end": datetime.time(12, 30),
                },
            )
        fields = {
            key: spec[key]
            for key in (
                "kind",
                "invoice_title",
                "invoice_bank",
                "invoice_account",
                "invoice_address",
                "invoice_phone",
            )
        }
        institution, _ = Institution.objects.update_or_create(
            tax_number=spec["tax_number"],
            defaults={
                **fields,
                "name": spec["name"],
                "yearly_target": D(spec["yearly_target"]),
                "drop_off": point,
                "is_active": True,
            },
        )
        member = User.objects.get(username=spec["member"])
        institution.members.add(member)
        if not institution.order_links.exists():
            this_year = timezone.localdate().year
            delivered = (
                OrderRun.objects.filter(
                    run__team=team,
                    order__status__in=statuses.DELIVERED,
                    order__date_placed__year=this_year,
                    order__institution_link__isnull=True,
                )
                .order_by("-order__date_placed")
                .values_list("order_id", flat=True)[: spec["past_orders"]]
            )
            InstitutionOrder.objects.bulk_create(
                InstitutionOrder(order_id=pk, institution=institution, placed_by=member)
                for pk in delivered
            )
        return institution

    # --- Wagtail pages --------------------------------------------------------------

    def _picture(self, title, seed):
        image = Image.objects.filter(title=title).first()
        if image is None:
            picture = io.BytesIO(draw_picture("story", seed, size=900))
            image = Image(title=title, file=ImageFile(picture, name=f"story-{seed}.webp"))
            image.save()
        return image

    def load_site_domain(self):
        """The Site object Oscar's e-mails and the sitemap read names the real domain
        (``SHOP_BASE_URL``), not Django's "example.com"."""
        host = urlsplit(settings.SHOP_BASE_URL).netloc or "127.0.0.1:8000"
        DjangoSite.objects.update_or_create(
            pk=settings.SITE_ID, defaults={"domain": host, "name": "521助农小店"}
        )

    def load_pages(self):
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            # Wagtail's initial migration creates a placeholder welcome page; replace it.
            for placeholder in root.get_children().exact_type(Page):
                Site.objects.filter(root_page=placeholder).delete()
                placeholder.delete()
            home = HomePage(
                title=data.HOME["title"], slug="home", hero_title=data.HOME["hero_title"]
            )
            root.add_child(instance=home)
        home.hero_title = data.HOME["hero_title"]
        home.hero_text = data.HOME["hero_text"]
        home.intro = data.HOME["intro"]
        home.hero_title_en = data.HOME["hero_title_en"]
        home.hero_text_en = data.HOME["hero_text_en"]
        home.intro_en = data.HOME["intro_en"]
        home.hero_image = self._picture("首页横幅", 999)
        home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(
                hostname="localhost",
                port=80,
                root_page=home,
                is_default_site=True,
                site_name="521助农小店",
            )
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.save()

        index = StoryIndexPage.objects.child_of(home).first()
        if index is None:
            index = StoryIndexPage(
                title=data.STORY_INDEX["title"],
                slug=data.STORY_INDEX["slug"],
                intro=data.STORY_INDEX["intro"],
            )
            home.add_child(instance=index)
            index.save_revision().publish()
        if index.title_en != data.TITLES_EN["stories"]:
            index.title_en = data.TITLES_EN["stories"]
            index.save_revision().publish()

        for seq, story_data in enumerate(data.STORIES):
            story = StoryPage.objects.filter(slug=story_data["slug"]).first()
            village, _team = self.villages[story_data["village"]]
            body = []
            for block_type, value in story_data["body"]:
                if block_type == "paragraph":
                    body.append(("paragraph", RichText(value)))
                elif block_type == "quote":
                    body.append(("quote", {"text": value[0], "source": value[1]}))
                else:
                    body.append((block_type, value))
            body += content_demo.extra_blocks(story_data["slug"], self)
            fields = {
                "title": story_data["title"],
                "title_en": data.TITLES_EN.get(story_data["slug"], ""),
                "date": datetime.date.fromisoformat(story_data["date"]),
                "summary": story_data["summary"],
                "team": self.teams[story_data["team"]],
                "village": village,
                "cover_image": self._picture(story_data["title"], seq),
                "body": body,
            }
            if story is None:
                story = StoryPage(slug=story_data["slug"], **fields)
                index.add_child(instance=story)
            else:
                for key, value in fields.items():
                    setattr(story, key, value)
            story.related_products.set([self.products[t] for t in story_data["products"]])
            content_demo.tag_story(story, story_data["slug"])
            story.save_revision().publish()
        content_demo.load_other_pages(home)

    # --- users ----------------------------------------------------------------------

    def load_users(self):

        role_groups = roles.setup_roles()  # the four role groups (issue 6)
        role_group = {
            "customer": roles.CUSTOMER,
            "team_member": roles.TEAM_MEMBER,
            "editor": roles.EDITOR,
            "coordinator": roles.COORDINATOR,
            "institution_buyer": roles.CUSTOMER,  # buys for the institution (load_institution)
        }
        dashboard_access = Permission.objects.get(
            codename="dashboard_access", content_type__app_label="partner"
        )
        created = []
        for username, email, password, role in data.DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username, defaults={"email": email})
            user.email = email
            user.set_password(password)
            user.first_name = {
                "customer": "小林",
                "team_member": "李",
                "editor": "周",
                "coordinator": "吴",
                "institution_buyer": "周",
            }[role]
            user.is_staff = (
                role == "coordinator"
            )  # editors work in Wagtail only, not the shop dashboard
            user.save()
            user.groups.add(role_groups[role_group[role]])
            if role == "team_member":
                user.user_permissions.add(dashboard_access)
                self.teams["renmin-hospital"].users.add(user)
            elif role == "editor":
                user.groups.add(*Group.objects.filter(name__in=["Editors", "Moderators"]))
            elif role == "coordinator":
                user.groups.add(*Group.objects.filter(name__in=["Moderators"]))
                user.user_permissions.add(dashboard_access)
            created.append((role, username, email, password))
        return created

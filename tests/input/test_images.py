"""Fault 13: photos over 40 megapixels are refused at upload with a message, and the
village page shows households' photos as small renditions, never the uploaded original."""

import io
import struct
import zlib

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from oscar.core.loading import get_class, get_model
from PIL import Image

from catalogue.models import Household
from tests.catalogue.factories import HouseholdFactory, VillageFactory
from tests.partner.factories import team_member

ProductImage = get_model("catalogue", "ProductImage")
TOO_MANY = "照片像素太多了（最多 40 百万像素）"


def blank_png(width, height):
    """A 1-bit black PNG of any size, built by hand: 13000×12000 zips to about 20 KB."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def upload(width, height, name="photo.png"):
    return SimpleUploadedFile(name, blank_png(width, height), content_type="image/png")


@pytest.fixture
def village(team):
    village = VillageFactory(slug="xiangyang", name="向阳村")
    village.teams.add(team)
    return village


def household_data(village, team, photo):
    return {
        "village": village.pk,
        "team": team.pk,
        "public_name": "王大姐家",
        "real_name": "王秀英",
        "status": "other",
        "consent_photo": "on",
        "photo": photo,
    }


def test_pillow_and_wagtail_limits_are_the_shops():
    assert settings.IMAGE_MAX_PIXELS == 40_000_000
    assert Image.MAX_IMAGE_PIXELS == settings.IMAGE_MAX_PIXELS
    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS == settings.IMAGE_MAX_PIXELS


@pytest.mark.django_db
@pytest.mark.parametrize("size", [(13000, 12000), (7000, 6000)], ids=["150MP", "42MP"])
def test_a_household_photo_over_the_limit_is_refused(client, team, village, size):
    assert len(blank_png(*size)) < 100_000
    client.force_login(team_member(team))
    response = client.post(
        reverse("dashboard:catalogue-household-create"),
        household_data(village, team, upload(*size)),
    )
    assert response.status_code == 200 and TOO_MANY in response.content.decode()
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_a_household_photo_under_the_limit_is_kept(client, team, village):
    client.force_login(team_member(team))
    response = client.post(
        reverse("dashboard:catalogue-household-create"),
        household_data(village, team, upload(1600, 1200)),
    )
    assert response.status_code == 302
    assert Household.objects.get().photo.width == 1600


@pytest.mark.django_db
@pytest.mark.parametrize("size", [(13000, 12000), (7000, 6000)], ids=["150MP", "42MP"])
def test_a_product_photo_over_the_limit_is_refused_by_the_dashboard_formset(eggs, size):
    formset_class = get_class("dashboard.catalogue.formsets", "ProductImageFormSet")
    data = {"images-TOTAL_FORMS": "1", "images-INITIAL_FORMS": "0", "images-0-display_order": "0"}
    formset = formset_class(
        eggs.product_class,
        None,
        data=data,
        files={"images-0-original": upload(*size)},
        instance=eggs,
    )
    assert not formset.is_valid()
    assert any(TOO_MANY in message for message in formset.errors[0]["original"])
    assert not ProductImage.objects.exists()


@pytest.mark.django_db
def test_wagtail_image_upload_over_the_limit_is_refused(db):
    from wagtail.images import get_image_model
    from wagtail.images.forms import get_image_form

    form_class = get_image_form(get_image_model())
    form = form_class(data={"title": "大图"}, files={"file": upload(7000, 6000)})
    assert not form.is_valid() and "file" in form.errors


@pytest.mark.django_db
def test_village_page_shows_a_rendition_of_the_household_photo_not_the_original(
    client, team, village
):
    household = HouseholdFactory(
        team=team, village=village, public_name="王大姐家", consent_photo=True
    )
    buf = io.BytesIO()
    Image.new("RGB", (2400, 1800), "#8a6d3b").save(buf, "JPEG")
    household.photo.save("wang.jpg", ContentFile(buf.getvalue()))
    html = client.get(village.get_absolute_url()).content.decode()
    assert household.photo.url not in html
    assert ".webp" in html and 'width="56"' in html

"""Product photo sizes on S3-compatible media storage (issue 17, fault 3).

Production keeps media in a bucket (``STORAGES["default"]`` with its OPTIONS). The sizes
phones get must be made from that storage, stored in that bucket and linked from the
pages; Oscar's placeholder comes from static, never copied onto an app server's disk.
A real S3 HTTP endpoint runs on loopback (moto's server) in place of the cloud store.
"""

import io
import re

import boto3
import pytest
from django.core.files.base import ContentFile
from django.utils.functional import empty
from PIL import Image
from sorl.thumbnail import default as sorl_default

from catalogue.models import ProductImage
from tests.catalogue.factories import product_in_stock

BUCKET = "nongzhu-media"


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _forget_storages():
    sorl_default.storage._wrapped = empty


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch, tmp_path):
    """Media in the bucket, configured the way shop/settings/production.py does it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.MEDIA_ROOT = str(tmp_path / "media")  # an app server's own disk
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "location": "media",
                "file_overwrite": False,
                "querystring_auth": False,
                "default_acl": None,
            },
        },
    }
    _forget_storages()
    yield client
    _forget_storages()
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _jpeg(width, height):
    buf = io.BytesIO()
    Image.new("RGB", (width, height), "#f0d9b5").save(buf, "JPEG")
    return ContentFile(buf.getvalue())


def _key_of(url, s3_endpoint):
    prefix = f"{s3_endpoint}/{BUCKET}/"
    assert url.startswith(prefix), url
    return url[len(prefix) :]


@pytest.mark.django_db
def test_product_page_shows_a_resized_rendition_stored_in_the_bucket(
    client, team, bucket, s3_endpoint
):
    product = product_in_stock(team=team, title="土鸡蛋")
    image = ProductImage(product=product, display_order=0)
    image.original.save("egg.jpg", _jpeg(2400, 1800), save=False)
    image.save()
    original = _key_of(image.original.url, s3_endpoint)

    html = client.get(product.get_absolute_url()).content.decode()
    gallery = html[html.index("product-page__gallery") :]
    src = re.search(r'<img src="([^"]+)"', gallery).group(1)
    key = _key_of(src, s3_endpoint)
    assert key != original, "the phone is sent the full-size original"
    assert key.startswith("media/cache/")
    stored = bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert Image.open(io.BytesIO(stored)).size == (600, 600)
    assert "300w" in gallery and "900w" in gallery


@pytest.mark.django_db
def test_basket_shows_the_placeholder_from_static_resized_into_the_bucket(
    client, team, bucket, s3_endpoint, settings, tmp_path
):
    product = product_in_stock(team=team, title="没有照片的小米")
    client.post(f"/shop/basket/add/{product.pk}/", {"quantity": product.order_step})

    html = client.get("/shop/basket/").content.decode()
    line = html[html.index("basket-line__image") :]
    src = re.search(r'<img src="([^"]*)"', line).group(1)
    assert src, "the basket line's image has no address"
    key = _key_of(src, s3_endpoint)
    stored = bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert Image.open(io.BytesIO(stored)).size == (300, 300)
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*")), (
        "Oscar's placeholder was copied onto this app server's disk"
    )

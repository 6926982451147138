"""Background tasks run in-process when no broker is configured (the embedded default)."""

import io

import pytest
from django.core import mail
from django.core.files.images import ImageFile
from django.core.mail import EmailMultiAlternatives
from PIL import Image as PILImage

from content import tasks as content_tasks
from shop.desk import tasks as desk_tasks


@pytest.fixture
def queued_mail(settings):
    settings.EMAIL_BACKEND = "shop.core.mail.QueuedEmailBackend"
    settings.QUEUED_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_queued_mail_is_delivered_with_html_and_attachments(queued_mail):
    message = EmailMultiAlternatives(
        "订单 100023 已确认", "您的鸡蛋周六可取。", "shop@521nongzhu.cn", ["buyer@example.cn"]
    )
    message.attach_alternative("<p>您的鸡蛋周六可取。</p>", "text/html")
    message.attach("取货单.txt", "县人民医院门诊大厅", "text/plain")
    assert message.send() == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.subject == "订单 100023 已确认"
    assert sent.to == ["buyer@example.cn"]
    assert sent.alternatives[0][0] == "<p>您的鸡蛋周六可取。</p>"
    assert sent.attachments[0][0] == "取货单.txt"
    assert sent.attachments[0][1] in ("县人民医院门诊大厅", "县人民医院门诊大厅".encode())


@pytest.mark.django_db
def test_renditions_are_created_once_by_the_warm_up_task():
    from wagtail.images.models import Image

    buffer = io.BytesIO()
    PILImage.new("RGB", (1200, 900), "green").save(buffer, "JPEG")
    image = Image.objects.create(title="菜园", file=ImageFile(buffer, name="garden.jpg"))
    assert content_tasks.warm_renditions.delay([image.pk]).get() == len(
        content_tasks.RENDITION_SPECS
    )
    assert image.renditions.count() == len(content_tasks.RENDITION_SPECS)
    content_tasks.warm_renditions.delay([image.pk])
    assert image.renditions.count() == len(content_tasks.RENDITION_SPECS)


def test_a_failing_export_is_marked_failed_and_said_so(client, db, monkeypatch):
    from django.urls import reverse

    from shop.desk import exports
    from shop.desk.models import ReportExport
    from tests.dashboard.factories import coordinator

    staff = coordinator()
    export = ReportExport.objects.create(requested_by=staff, report="product", fmt="xlsx")

    def broken(export):
        raise ValueError("disk full")

    monkeypatch.setattr(exports, "build_file", broken)
    desk_tasks.export_report.delay(export.pk)
    export.refresh_from_db()
    assert export.status == "failed" and export.file_name == ""
    client.force_login(staff)
    page = client.get(reverse("dashboard:desk-report-export")).content.decode()
    assert "生成失败" in page


def _jpeg(name, size=(1200, 900)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "orange").save(buffer, "JPEG")
    return ImageFile(buffer, name=name)


@pytest.mark.django_db
def test_uploading_a_story_image_makes_its_renditions_before_any_page_view(
    django_capture_on_commit_callbacks,
):
    from wagtail.images.models import Image

    with django_capture_on_commit_callbacks(execute=True):
        image = Image.objects.create(title="鸡舍", file=_jpeg("coop.jpg"))
    assert image.renditions.count() == len(content_tasks.RENDITION_SPECS)


@pytest.mark.django_db
def test_uploading_a_product_photo_makes_its_webp_sizes_before_any_page_view(
    eggs,
    django_capture_on_commit_callbacks,
):
    from oscar.core.loading import get_model
    from sorl.thumbnail.models import KVStore

    ProductImage = get_model("catalogue", "ProductImage")
    before = KVStore.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        ProductImage.objects.create(product=eggs, original=_jpeg("eggs.jpg", (1000, 1000)))
    # the source plus 300/600/900 px WebP, remembered so page views only look them up
    assert KVStore.objects.count() - before >= 4

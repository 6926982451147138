"""Background tasks run in-process when no broker is configured (the embedded default)."""

import io

import pytest
from django.core import mail
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from PIL import Image as PILImage

from shop import tasks


@pytest.fixture
def queued_mail(settings):
    settings.EMAIL_BACKEND = "shop.mail.QueuedEmailBackend"
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
    assert tasks.warm_renditions.delay([image.pk]).get() == len(tasks.RENDITION_SPECS)
    assert image.renditions.count() == len(tasks.RENDITION_SPECS)
    tasks.warm_renditions.delay([image.pk])
    assert image.renditions.count() == len(tasks.RENDITION_SPECS)


def sample_exporter(team="all"):
    return f"orders-{team}.csv", "订单号,金额\n100023,15.00\n".encode()


def test_report_export_is_stored_for_download(monkeypatch):
    monkeypatch.setitem(tasks.REPORT_EXPORTERS, "sample", "tests.ops.test_tasks.sample_exporter")
    name = tasks.export_report.delay("sample", team="renmin").get()
    assert name.startswith("reports/") and name.endswith("orders-renmin.csv")
    with default_storage.open(name) as stored:
        assert "100023" in stored.read().decode()


def test_route_solving_task_calls_the_fulfilment_solver(monkeypatch):
    calls = []
    monkeypatch.setattr(
        tasks, "ROUTE_SOLVERS", ["tests.ops.test_tasks.missing", "tests.ops.test_tasks.fake_solver"]
    )
    globals()["fake_solver"] = lambda run_id, **kw: calls.append(run_id) or "planned"
    assert tasks.solve_route.delay(42).get() == "planned"
    assert calls == [42]
    monkeypatch.setattr(tasks, "ROUTE_SOLVERS", ["tests.ops.test_tasks.missing"])
    with pytest.raises(LookupError):
        tasks.solve_route.delay(42).get()

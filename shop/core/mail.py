"""An email backend that hands every message to a Celery worker.

Order confirmations must not make a buyer wait for the SMTP server, and a
slow or failing mail server must not fail a checkout. ``QueuedEmailBackend``
turns each message into plain data, queues ``send_email`` (below; its Celery name is
``shop.tasks.send_email``), and the worker sends it with ``QUEUED_EMAIL_BACKEND`` (SMTP
in production), retrying on failure. With no broker the task runs at once, in-process.
The backend, the message's plain form and the task live together here;
``shop.core.tasks`` names the task for Celery's autodiscovery.
"""

import base64

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend


def message_to_data(message):
    attachments = []
    for attachment in message.attachments:
        if isinstance(attachment, tuple | list):
            filename, content, mimetype = attachment[:3]
        else:  # MIMEBase part
            filename, content, mimetype = (
                attachment.get_filename(),
                attachment.get_payload(decode=True),
                attachment.get_content_type(),
            )
        if isinstance(content, str):
            content = content.encode()
        attachments.append([filename, base64.b64encode(content).decode(), mimetype])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": [list(alt[:2]) for alt in getattr(message, "alternatives", [])],
        "attachments": attachments,
    }


def data_to_message(data, connection=None):
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
        connection=connection,
    )
    message.content_subtype = data.get("content_subtype", "plain")
    for content, mimetype in data.get("alternatives", []):
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in data.get("attachments", []):
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


@shared_task(
    name="shop.tasks.send_email",
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    max_retries=5,
)
def send_email(self, data):
    backend = getattr(
        settings, "QUEUED_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
    )
    with get_connection(backend) as connection:
        return data_to_message(data, connection=connection).send()


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages or []:
            if not isinstance(message, EmailMessage) or not message.recipients():
                continue
            try:
                send_email.delay(message_to_data(message))
            except Exception:
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent

"""Where text messages go: one small interface, ``send_sms``, in front of the provider.

``SMS_BACKEND`` chooses the backend: ``console`` (the default: the message is logged, so a
laptop or CI needs no account) or ``tencent``, Tencent Cloud SMS through its official
Python SDK (``tencentcloud-sdk-python-sms``). ``SMS_ENDPOINT`` points the SDK at another
host (``127.0.0.1:PORT`` over plain HTTP in the tests); in production it stays empty and
the SDK uses the provider's own endpoint over HTTPS.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The provider refused the message or could not be reached; worth trying again."""


class ConsoleBackend:
    """Logs the message instead of sending it."""

    def send(self, phone, template_code, params, idempotency_key, text=""):
        logger.warning(
            "SMS to %s [%s] %s (%s)%s",
            phone,
            template_code,
            params,
            idempotency_key,
            f": {text}" if text else "",
        )
        return f"console:{idempotency_key}"


class TencentBackend:
    """Tencent Cloud SMS (API version 2021-01-11), ``SendSms`` through the official SDK.

    The template's parameters go in the order ``params`` lists them; the idempotency key
    travels as the ``SessionContext`` the provider hands back with the delivery receipt."""

    def client(self):
        # heavy: the SDK is loaded only when SMS_BACKEND is tencent
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        endpoint = settings.SMS_ENDPOINT
        http = HttpProfile(reqTimeout=10)
        if endpoint:
            scheme, _sep, host = endpoint.rpartition("://")
            http.endpoint = host
            http.protocol = http.scheme = scheme or "https"
        profile = ClientProfile(httpProfile=http)
        cred = credential.Credential(settings.SMS_SECRET_ID, settings.SMS_SECRET_KEY)
        return sms_client.SmsClient(cred, settings.SMS_REGION, profile)

    def send(self, phone, template_code, params, idempotency_key, text=""):
        # heavy: the SDK is loaded only when SMS_BACKEND is tencent
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.PhoneNumberSet = [phone if phone.startswith("+") else f"+86{phone}"]
        request.SmsSdkAppId = settings.SMS_APP_ID
        request.SignName = settings.SMS_SIGN_NAME
        request.TemplateId = str(template_code)
        request.TemplateParamSet = [str(value) for value in params.values()]
        request.SessionContext = idempotency_key
        try:
            response = self.client().SendSms(request)
        except TencentCloudSDKException as error:
            raise SmsError(f"{error.code}: {error.message}") from error
        status = (response.SendStatusSet or [None])[0]
        if status is None or status.Code != "Ok":
            raise SmsError(
                f"{getattr(status, 'Code', 'NoStatus')}: {getattr(status, 'Message', '')}"
            )
        return status.SerialNo or response.RequestId or ""


BACKENDS = {"console": ConsoleBackend, "tencent": TencentBackend}


def backend():
    name = settings.SMS_BACKEND
    return (BACKENDS.get(name) or import_string(name))()


def send_sms(phone, template_code, params, idempotency_key, text=""):
    """Send one text message; returns the provider's id for it, raises ``SmsError``.

    ``params`` is an ordered dict of the template's parameters; ``text`` is the message as
    the shop words it (what the console backend logs)."""
    return backend().send(phone, template_code, params, idempotency_key, text=text)

"""How large a photo the shop accepts, and Pillow's own guard set to match.

A phone photo is 12 to 50 megapixels; a 150-megapixel upload is either a panorama
nobody needs on a phone screen or a decompression bomb (a small PNG that unpacks to
gigabytes). ``LimitedImageField`` is the upload field of every photo form the shop
owns (households, product photos in the dashboard); Wagtail's image form reads the
same limit from ``WAGTAILIMAGES_MAX_IMAGE_PIXELS``. ``set_pillow_limit`` makes Pillow
warn above the limit and refuse to open anything over twice it, so neither the upload
check nor a thumbnailer can be made to unpack a bomb.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image


def max_pixels():
    return settings.IMAGE_MAX_PIXELS


def set_pillow_limit():
    Image.MAX_IMAGE_PIXELS = max_pixels()


def too_large_error():
    return ValidationError(
        _("照片像素太多了（最多 %(mp)d 百万像素），请缩小后再上传。")
        % {"mp": max_pixels() // 1_000_000},
        code="too_many_pixels",
    )


class LimitedImageField(forms.ImageField):
    """Django's image field, refusing photos over ``IMAGE_MAX_PIXELS`` with a message.

    Django opens the upload with Pillow (reading its header, not its pixels); over twice
    the limit Pillow already refuses, which Django would report as "not an image".
    """

    def to_python(self, data):
        try:
            upload = super().to_python(data)
        except ValidationError as error:
            if isinstance(error.__cause__, Image.DecompressionBombError):
                raise too_large_error() from error
            raise
        if upload is not None:
            width, height = upload.image.size
            if width * height > max_pixels():
                raise too_large_error()
        return upload

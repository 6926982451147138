"""Oscar's thumbnailer (sorl) reading Oscar's placeholder photo from static files, and the
storage sorl reads and writes.

sorl builds its storage by calling a class with no arguments (``THUMBNAIL_STORAGE``), and
so does it for every thumbnail it reads back from its key-value store (by the class name
it stored). The configured media storage needs its OPTIONS (an S3 bucket, its endpoint),
so sorl is given ``MediaStorage``, which stands for ``STORAGES["default"]`` as configured.
Oscar's placeholder photo is read from static files (``StaticImages``), so its sizes are
made into media storage like any photo's and nothing is copied onto an app server's disk.

This module used to keep each thumbnail's address in the process as well; the bench
(bench/speed_parts_bench.py, shop/speed/README.md) found that saved 0.1 % of the basket
page, so sorl's own key-value store (in the shared cache) answers again.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import FileSystemStorage, storages
from oscar.core.thumbnails import SorlThumbnail


class MediaStorage:
    """``STORAGES["default"]`` with its OPTIONS, built by calling the class with no arguments."""

    def __getattr__(self, name):
        return getattr(storages["default"], name)


class StaticImages(FileSystemStorage):
    """Read-only: an image among the static files, wherever Django's finders find it."""

    def path(self, name):
        found = finders.find(name)
        if not found:
            raise FileNotFoundError(name)
        return found


# One for the process: building a file storage connects a receiver to ``setting_changed``,
# and every connect empties Django's cache of receivers for every signal, so each basket
# line without a photo made every later model save in its request look its receivers up
# again.
_STATIC_IMAGES = StaticImages()


@dataclass(frozen=True)
class PlaceholderImage:
    """Oscar's "no photo" image as a thumbnail source, read from static files."""

    name: str
    storage: StaticImages

    @classmethod
    def named(cls, name):
        return cls(name=f"oscar/img/{name}", storage=_STATIC_IMAGES)

    def __bool__(self):
        return True


class KeptThumbnails(SorlThumbnail):
    """sorl's thumbnails; a product without a photo has Oscar's placeholder, given by its
    file name, read from static files."""

    def generate_thumbnail(self, source, **opts):
        name = source if isinstance(source, str) else getattr(source, "name", None)
        if name and name == settings.OSCAR_MISSING_IMAGE_URL:
            source = PlaceholderImage.named(name)
        return super().generate_thumbnail(source, **opts)

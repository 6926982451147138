"""Oscar's thumbnailer (sorl), with each thumbnail's address kept by the process, and the
storages sorl reads and writes.

The basket page and the checkout show a thumbnail per line; for each, sorl asks its
key-value store in the shared cache where the thumbnail is (a round trip and some work),
although a thumbnail, once made, stays where it is: an uploaded photo gets a new file
name, so a new photo is a new key. What the templates use of the answer (address and
size) is kept here for ``KEEP_SECONDS``.

sorl builds its storage by calling a class with no arguments (``THUMBNAIL_STORAGE``), and
so does it for every thumbnail it reads back from its key-value store (by the class name
it stored). The configured media storage needs its OPTIONS (an S3 bucket, its endpoint),
so sorl is given ``MediaStorage``, which stands for ``STORAGES["default"]`` as configured.
Oscar's placeholder photo is read from static files (``StaticImages``), so its sizes are
made into media storage like any photo's and nothing is copied onto an app server's disk.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import FileSystemStorage, storages
from oscar.core.thumbnails import SorlThumbnail

from shop.speed import request_cache


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


@dataclass(frozen=True)
class PlaceholderImage:
    """Oscar's "no photo" image as a thumbnail source, read from static files."""

    name: str
    storage: StaticImages

    @classmethod
    def named(cls, name):
        return cls(name=f"oscar/img/{name}", storage=StaticImages())

    def __bool__(self):
        return True


KEEP_SECONDS = 10 * 60


@dataclass(frozen=True)
class Thumbnail:
    url: str
    width: int
    height: int
    name: str

    @property
    def x(self):
        return self.width

    @property
    def y(self):
        return self.height

    def __str__(self):
        return self.url


class KeptThumbnails(SorlThumbnail):
    _kept = request_cache.LocalCopies(max_entries=4096)

    def generate_thumbnail(self, source, **opts):
        # A product without a photo has Oscar's placeholder, given by its file name.
        name = source if isinstance(source, str) else getattr(source, "name", None)
        if not name:
            return super().generate_thumbnail(source, **opts)
        if name == settings.OSCAR_MISSING_IMAGE_URL:
            source = PlaceholderImage.named(name)
        key = f"{name}|{sorted(opts.items())!r}"
        found = self._kept.get(key)
        if found is None:
            made = super().generate_thumbnail(source, **dict(opts))
            found = Thumbnail(url=made.url, width=made.width, height=made.height, name=made.name)
            self._kept.put(key, found, KEEP_SECONDS)
        return found

    def delete_thumbnails(self, source):
        super().delete_thumbnails(source)
        self._kept.clear()  # rare (a photo deleted): forget all, not only its sizes

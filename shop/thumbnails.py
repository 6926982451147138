"""Oscar's thumbnailer (sorl), with each thumbnail's address kept by the process.

The basket page and the checkout show a thumbnail per line; for each, sorl asks its
key-value store in the shared cache where the thumbnail is (a round trip and some work),
although a thumbnail, once made, stays where it is: an uploaded photo gets a new file
name, so a new photo is a new key. What the templates use of the answer (address and
size) is kept here for ``KEEP_SECONDS``.
"""

from dataclasses import dataclass

from oscar.core.thumbnails import SorlThumbnail

from shop import request_cache

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

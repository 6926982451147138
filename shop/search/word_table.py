"""jieba's word table in a read-only file that every process maps instead of loading.

jieba keeps the table (every word and word prefix -> its frequency) as a dict of about
500,000 strings: about 100 MB of Python objects in every process that cuts text. Here each
entry is an 8-byte hash and a 4-byte count in two flat arrays (open addressing, at most half
full): 2^20 slots, 12.6 MB, written once to a file and mapped read-only by each process. The
kernel keeps one copy of its pages for the gunicorn master, every worker and Celery, and no
process ever holds jieba's dict. A forked worker does not inherit the master's view of the
file: its resident memory counts the table from its first search on (all of it after a few
searches, as lookups land anywhere and the kernel maps the file in pieces of up to 2 MB),
and its proportional share (PSS) stays a fraction.

The hash is CRC-32 and Adler-32 of the word's UTF-8 bytes, so a file built by one process
answers in every other (Python's own ``hash()`` changes with each process). Two words with
the same 64-bit hash would share an entry, which for half a million words is about one
chance in 10^8. The table answers only what jieba asks of it (``in``, ``[]``, ``get`` and
adding a word); words added later (``add_word``: the trade's words, the villages' names) go
to a small dict beside the arrays.

Run as a script (``python -P word_table.py FILE``) it builds the file from jieba's
dictionary in its own interpreter: stdlib and jieba only, so it imports nothing of the shop.
"""

import hashlib
import logging
import mmap
import os
import struct
import sys
import tempfile
from array import array
from pathlib import Path
from zlib import adler32, crc32

MAGIC = b"NZWT"
FORMAT = 1
# magic, format, slots, jieba's total count; padded so the arrays start 8-byte aligned
HEADER = struct.Struct("<4sIQQ")
HEADER_SIZE = 64


def word_hash(word):
    # CRC-32 in the low half (it picks the slot: evenly spread), Adler-32 in the high half;
    # Adler-32 is at least 1, so no word hashes to 0, the free slot's mark.
    data = word.encode("utf-8", "surrogatepass")
    return (adler32(data) << 32) | crc32(data)


def table_bytes(freq, total):
    """The file's contents for jieba's ``FREQ`` dict and ``total``."""
    slots = 1 << max(4, (2 * len(freq)).bit_length())
    mask = slots - 1
    hashes = array("Q", bytes(8 * slots))
    # jieba's counts stay far below 2**32 (the largest is under a million): 4 bytes each.
    counts = array("I", bytes(4 * slots))
    for word, count in freq.items():
        wanted = word_hash(word)
        index = wanted & mask
        while hashes[index] not in (0, wanted):
            index = (index + 1) & mask
        hashes[index] = wanted
        counts[index] = count
    header = HEADER.pack(MAGIC, FORMAT, slots, total).ljust(HEADER_SIZE, b"\0")
    if sys.byteorder != "little":  # the file is little-endian wherever it is built
        hashes.byteswap()
        counts.byteswap()
    return header + hashes.tobytes() + counts.tobytes()


def digest(source):
    """Digest of jieba's dictionary file and of this module's format: a new jieba, or a new
    format, gives a new file name, so a stale table is never read."""
    with open(source, "rb") as file:
        found = hashlib.file_digest(file, "sha256")
    found.update(b"%d" % FORMAT)
    return found.hexdigest()[:16]


def build_file(path):
    """Load jieba's dictionary and write its table to ``path`` (atomically: a process that
    maps the file meanwhile sees the whole old file or the whole new one)."""
    import jieba  # heavy: loaded only by the workers that use it

    jieba.setLogLevel(logging.WARNING)  # jieba prints its cache banner otherwise
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    data = table_bytes(tokenizer.FREQ, tokenizer.total)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


class WordTable:
    """A word table over the file's bytes: a read-only mapping of the file (``open``) or,
    where no file can be written, the same bytes in memory."""

    def __init__(self, data):
        magic, version, slots, total = HEADER.unpack_from(data)
        if magic != MAGIC or version != FORMAT or len(data) != HEADER_SIZE + 12 * slots:
            raise ValueError("not a word table of this format")
        if sys.byteorder != "little":
            raise ValueError("word tables are read on little-endian machines only")
        view = memoryview(data)
        self.total = total
        self._mask = slots - 1
        self._hashes = view[HEADER_SIZE : HEADER_SIZE + 8 * slots].cast("Q")
        self._counts = view[HEADER_SIZE + 8 * slots :].cast("I")
        self._added = {}
        self._last = (None, None)

    @classmethod
    def open(cls, path):
        with open(path, "rb") as file:
            return cls(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ))

    @classmethod
    def from_counts(cls, freq, total=0):
        return cls(table_bytes(freq, total))

    def get(self, word, default=None):
        # jieba asks this for every fragment of every sentence: one function, no calls
        # but the hash's own (word_hash, written out).
        if word in self._added:
            return self._added[word]
        data = word.encode("utf-8", "surrogatepass")
        wanted = (adler32(data) << 32) | crc32(data)
        hashes, mask = self._hashes, self._mask
        index = wanted & mask
        while True:
            found = hashes[index]
            if found == wanted:
                return self._counts[index]
            if not found:
                return default
            index = (index + 1) & mask

    # jieba asks ``frag in FREQ`` and then ``FREQ[frag]`` of the same string: the answer to
    # the first is kept for the second, as one tuple, so a thread reading it while another
    # replaces it gets a whole pair or looks the word up again.
    def __contains__(self, word):
        count = self.get(word)
        self._last = (word, count)
        return count is not None

    def __getitem__(self, word):
        last, count = self._last
        if last is not word:
            count = self.get(word)
        if count is None:
            raise KeyError(word)
        return count

    def __setitem__(self, word, count):
        self._added[word] = count
        self._last = (None, None)


if __name__ == "__main__":
    build_file(sys.argv[1])

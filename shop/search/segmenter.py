"""jieba and pypinyin behind one small interface: text in, searchable words out.

A private jieba tokenizer knows the trade's words (笨鸡蛋, 小笨鸡, 土鸡蛋…) and, once
taught (``Segmenter.add_words``), the villages' names; every Chinese word also gets its
pinyin, full and initials, so ``jidan`` and ``jd`` find 鸡蛋. This module knows no
model: documents, queries and the editors' choosers all cut text through ``segmenter``.
"""

import logging
import re
from functools import cached_property

# Words of the trade jieba's general dictionary cuts wrongly or not at all.
TRADE_WORDS = [
    "笨鸡蛋",
    "土鸡蛋",
    "小笨鸡",
    "土鸡",
    "笨鸡",
    "柴鸡蛋",
    "乌鸡蛋",
    "绿壳蛋",
    "绿壳",
    "土鸭蛋",
    "鸭蛋",
    "老母鸡",
    "麻鸭",
    "土麻鸭",
    "水蜜桃",
    "甜瓜",
    "西红柿",
    "小白菜",
    "红薯粉条",
    "粉条",
    "干豆角",
    "豆角",
    "玉米面",
    "石磨",
    "小米",
    "杏干",
    "柿子饼",
    "花生油",
    "小榨",
    "紫皮蒜",
    "大蒜",
    "土豆",
    "洋葱",
    "南瓜",
    "西瓜",
    "散养",
    "农家",
    "礼盒",
    "时令",
    "工作队",
    "驻村",
    "消费帮扶",
    "监测户",
    "脱贫户",
    "自提点",
]
# Buyers use these names for the same thing; a query for one finds the others.
SYNONYMS = {
    "笨鸡蛋": ["土鸡蛋", "柴鸡蛋"],
    "土鸡蛋": ["笨鸡蛋", "柴鸡蛋"],
    "柴鸡蛋": ["土鸡蛋", "笨鸡蛋"],
    "笨鸡": ["土鸡"],
    "土鸡": ["笨鸡"],
    "番茄": ["西红柿"],
    "西红柿": ["番茄"],
    "马铃薯": ["土豆"],
    "土豆": ["马铃薯"],
}

WORD_RE = re.compile(r"\w", re.UNICODE)
CJK_RE = re.compile(r"[\u3400-\u9fff]")
ASCII_WORD_RE = re.compile(r"^[a-z0-9]+$")


class Segmenter:
    """jieba and pypinyin behind one small interface."""

    @cached_property
    def tokenizer(self):
        # Imported on first use: jieba's dictionary is about 100 MB of Python objects, and
        # only the processes that search or index need it (load_dictionaries preloads it).
        import jieba

        jieba.setLogLevel(logging.WARNING)  # jieba prints its cache banner otherwise
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for word in TRADE_WORDS:
            tokenizer.add_word(word, freq=20000)
        self._known = set(TRADE_WORDS)
        return tokenizer

    def add_words(self, words):
        tokenizer = self.tokenizer
        for word in words:
            if word and word not in self._known:
                tokenizer.add_word(word, freq=20000)
                self._known.add(word)

    def words(self, text):
        """Every searchable word in ``text``: jieba's search-mode cut, lower-cased."""
        if not text:
            return []
        return [w.lower() for w in self.tokenizer.cut_for_search(text) if WORD_RE.search(w)]

    def query_words(self, text):
        """The words a buyer meant: jieba's precise cut."""
        return [w.lower() for w in self.tokenizer.cut(text) if WORD_RE.search(w)]

    @staticmethod
    def pinyin(word):
        """(full, initials) for a word with Chinese characters, else None."""
        if not CJK_RE.search(word):
            return None
        from pypinyin import Style, lazy_pinyin  # heavy dictionaries: only when spelling

        syllables = [s for s in lazy_pinyin(word, style=Style.NORMAL, errors="ignore") if s]
        if not syllables:
            return None
        return "".join(syllables), "".join(s[0] for s in syllables)

    def with_pinyin(self, words):
        out = list(words)
        for word in words:
            spelled = self.pinyin(word)
            if spelled:
                out.extend(spelled)
        return out


segmenter = Segmenter()


def load_dictionaries():
    """Load jieba's and pypinyin's dictionaries now (about 100 MB of Python objects, and a
    second or so). App servers call it before forking their workers, so the workers share
    one copy and the first search after a start does not wait for it. No database access."""
    segmenter.tokenizer  # noqa: B018 -- the cached property does the loading
    segmenter.pinyin("鸡蛋")

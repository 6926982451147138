"""The site search: one box for products and stories, in Chinese, pinyin and English.

- ``segmenter``: jieba and pypinyin; text in, searchable words out. Knows no model.
- ``models``: ``SearchDocument``, one row per product or published story; the database
  keeps the full-text index beside it (SQLite FTS5, PostgreSQL stored tsvector + GIN).
- ``documents``: what goes into a product's or a story's document; index, drop, rebuild.
- ``engines``: the database's full-text engine behind ``count`` and ranked ``ids``.
- ``results``: a buyer's query parsed, run, highlighted and paginated.
- ``receivers``: documents follow products, stock, villages, teams and stories.
- ``views``: the search page; ``manage.py rebuild_search_index`` rebuilds everything.

The search app sits above the catalogue and the content app and reads both; they do not
import it, except the editors' choosers in ``content``, which cut names with
``segmenter`` and find products through ``engines``.
"""

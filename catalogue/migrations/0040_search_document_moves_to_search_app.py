"""SearchDocument now belongs to the site search app (``shop.search``).

Only Django's record of the model changes: the table ``catalogue_searchdocument``, its
rows and its full-text index stay where they are, and ``search.0001`` takes the model
over with the same table.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0039_weight_priced_by_weight")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SearchDocument")],
            database_operations=[],
        )
    ]

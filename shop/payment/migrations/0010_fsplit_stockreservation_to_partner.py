"""StockReservation moved to the partner app, beside ``shop.partner.reservations``.

Only Django's record of the model leaves this app; the table ``payment_stockreservation``
and its rows stay where they are and partner migration 0010 takes them over.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("payment", "0009_payrest_checkout_purpose"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="StockReservation")],
            database_operations=[],
        ),
    ]

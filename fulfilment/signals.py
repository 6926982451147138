"""What fulfilment tells the layers above it, without importing them.

The order side (``shop.order.life``) and the waitlist build on the runs; the runs must
not call back up into them (that was an import loop). They send these signals instead,
and the apps above connect in their ``AppConfig.ready``:

- ``run_moved(run, to_status, actor)``: sent inside the transaction that moved the run on
  (closed, collecting, delivering, cancelled); its orders follow (``shop.order.life``).
- ``run_stepped_back(run, to_status, actor)``: sent inside the transaction that moved the
  run back (an undone tap); the run's orders follow it (``shop.order.life``).
- ``payouts_made(payout_ids)``: sent inside the transaction that recorded payouts to
  households; the running figures add them (``shop.figures``).
- ``supply_added(product_ids)``: sent after the commit that added supply or stock for
  ``product_ids``; buyers waiting for them are told (``shop.waitlist``).
"""

from django.dispatch import Signal

run_moved = Signal()
run_stepped_back = Signal()
supply_added = Signal()
payouts_made = Signal()

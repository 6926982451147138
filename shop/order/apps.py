import oscar.apps.order.apps as apps


class OrderConfig(apps.OrderConfig):
    name = "shop.order"

    def ready(self):
        super().ready()
        # Loaded here: life reads models, so it waits for the app registry.
        from fulfilment.signals import run_moved, run_stepped_back
        from shop.order import life

        run_moved.connect(life.on_run_moved, dispatch_uid="life-run-moved")
        run_stepped_back.connect(life.on_run_stepped_back, dispatch_uid="life-run-stepped-back")

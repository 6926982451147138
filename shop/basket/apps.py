import oscar.apps.basket.apps as apps


class BasketConfig(apps.BasketConfig):
    name = "shop.basket"

    def ready(self):
        super().ready()
        # Loaded in ready(): they import models, and apps.py loads before any model exists.
        from shop.basket import counts, features

        features.connect()
        counts.connect()

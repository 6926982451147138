import oscar.apps.payment.apps as apps


class PaymentConfig(apps.PaymentConfig):
    name = "shop.payment"

    def ready(self):
        super().ready()
        # Loaded here: both read models, so they wait for the app registry.
        from shop.partner.reservations import order_reservation_expired
        from shop.payment import receivers, stripe_gateway  # noqa: F401  receivers: connects

        order_reservation_expired.connect(
            stripe_gateway.on_reservation_expired, dispatch_uid="payment-reservation-expired"
        )

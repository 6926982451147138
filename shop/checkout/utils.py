"""Oscar's checkout session data, without writing the session on pages that only read it."""

from oscar.apps.checkout import utils


class CheckoutSessionData(utils.CheckoutSessionData):
    def __init__(self, request):
        # Oscar adds an empty "checkout_data" to every session a checkout page sees, which
        # saves the session (and starts one for a new visitor) on a page that only reads
        # it, such as the order confirmation. Nothing needs saving until a value is set,
        # and setting one marks the session changed itself.
        was_modified = request.session.modified
        super().__init__(request)
        request.session.modified = was_modified

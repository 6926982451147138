"""The pickup code a buyer shows at hand-over (核销), so the right bag goes to the right person.

Four digits derived from an HMAC of the order number with the site's secret: nothing to
store, the same on the order page, in the text message and on the team's lists, and not
guessable from the order number. Every place that shows it calls ``pickup_code``.
"""

import hashlib
import hmac

from django.conf import settings

DIGITS = 4


def pickup_code(order):
    number = str(getattr(order, "number", order))
    digest = hmac.new(
        f"{settings.SECRET_KEY}:pickup-code".encode(), number.encode(), hashlib.sha256
    ).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**DIGITS:0{DIGITS}d}"

"""The buyer after the order: a guest finds an order again (order number + mobile, or the
signed link every message carries), sees it on a phone-sized page, and shows a pickup
code at hand-over. ``links`` builds absolute and signed addresses, ``codes`` the pickup
code, ``lookup`` the rate-limited search; views stay thin."""

"""Standing orders (定期订单): the same basket on every run of a team, or every other one.

``models`` holds the buyer's standing order, its lines and one row per (standing order,
run) once that run's occurrence is decided (skipped, placed, nothing placed); ``schedule``
says which runs an order falls on and until when each can still be changed, and holds the
buyer's changes; ``placing`` places the due occurrences through the order-life module
(``shop.order.placement.place_on_run``) just before each run's cut-off, from the Celery
task in ``tasks``; ``notify`` tells the buyer what was placed.
"""

"""The team's one back office: one menu and one access rule for the Oscar dashboard and
the team pages under ``/shop/team/``.

``settings.OSCAR_DASHBOARD_NAVIGATION`` lists every back-office page, Oscar's and the
team's, and both layouts draw it (``templates/desk/chrome.html``); ``access`` decides which
entries a user sees. Oscar's pages keep Oscar's permission map; the team pages
(``fulfilment:``) ask ``fulfilment.access.may_use_team_pages`` and the alliance-wide pages
(``institutions:``) ``shop.institutions.membership.may_see_all``, the same predicates
their views check, so a link in the menu never leads to a refusal.
"""

from oscar.apps.dashboard.nav import default_access_fn

from fulfilment.access import may_use_team_pages
from shop.institutions.membership import may_see_all

RULES = {"fulfilment": may_use_team_pages, "institutions": may_see_all}


def access(user, url_name, url_args=None, url_kwargs=None):
    if url_name is None:  # a heading: shown when one of its pages is
        return True
    namespace, _, _ = url_name.rpartition(":")
    rule = RULES.get(namespace)
    if rule is not None:
        return rule(user)
    return default_access_fn(user, url_name, url_args, url_kwargs)

"""The dashboard's front page: team members get their team home screen.

Oscar's index shows shop-wide revenue and customer figures; a team member must
see only their teams' work, so they get ``shop.desk.home.team_home`` instead.
Coordinators keep Oscar's overview with links to the desk pages.
"""

from django.urls import NoReverseMatch, reverse
from oscar.apps.dashboard import views as oscar_views

from shop.desk.home import team_home
from shop.desk.roles import is_team_member, team_ids


def url_or_none(name, *args):
    """A delivery-app link if that page exists, so the home screen works before it does."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


class IndexView(oscar_views.IndexView):
    def get_template_names(self):
        if is_team_member(self.request.user):
            return ["oscar/dashboard/team_home.html"]
        return super().get_template_names()

    def get_context_data(self, **kwargs):
        if not is_team_member(self.request.user):
            return super().get_context_data(**kwargs)
        ctx = super(oscar_views.IndexView, self).get_context_data(**kwargs)
        home = team_home(team_ids(self.request.user))
        for card in home.runs:
            pk = card.run.pk
            card.links = {
                "detail": url_or_none("fulfilment:run-detail", pk),
                "close": url_or_none("fulfilment:run-status", pk),
                "collection": url_or_none("fulfilment:run-document", pk, "collection"),
                "packing": url_or_none("fulfilment:run-document", pk, "packing"),
                "driver": url_or_none("fulfilment:driver", pk),
            }
        ctx["home"] = home
        ctx["teams"] = self.request.user.partners.order_by("name")
        ctx["links"] = {
            "runs": url_or_none("fulfilment:run-list"),
            "payouts": url_or_none("fulfilment:payouts"),
        }
        return ctx

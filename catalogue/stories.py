"""Stories about a product, team or village, told by whichever app writes stories.

The catalogue knows no Wagtail page: the content app registers how to find its stories
when it starts (``content.apps``), and the catalogue's pages show what that returns. With
no teller registered a page simply has no stories.
"""

_tellers = []


def register(teller):
    """``teller(product=..., team=..., village=...)`` returns a list of story pages."""
    if teller not in _tellers:
        _tellers.append(teller)


def about(**subject):
    """Stories about one thing: ``about(product=p)``, ``about(team=t)``, ``about(village=v)``."""
    found = []
    for teller in _tellers:
        found.extend(teller(**subject))
    return found

"""Dashboard forms: the product form with where-it-comes-from fields, product photos and
households (photos in both limited by ``shop.core.images``)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.dashboard.catalogue import forms as oscar_forms
from oscar.core.utils import slugify

from catalogue.models import Household, Village
from shop.core.images import LimitedImageField

ORIGIN_FIELDS = [
    "unit",
    "order_step",
    "weight_per_unit_g",
    "origin_village",
    "households",
    "season_note",
    "storage_advice",
]


def team_scope(user):
    """The teams a dashboard user works for; ``None`` means every team (staff)."""
    if user is None or user.is_staff:
        return None
    return list(user.partners.all())


class ProductForm(oscar_forms.ProductForm):
    """Oscar's product form plus unit, step, origin village and supplying households.

    A team member only sees their own team's villages and households in the
    choices; staff see all.
    """

    class Meta(oscar_forms.ProductForm.Meta):
        fields = oscar_forms.ProductForm.Meta.fields + ORIGIN_FIELDS
        widgets = {
            **oscar_forms.ProductForm.Meta.widgets,
            "households": forms.CheckboxSelectMultiple,
        }

    def __init__(self, product_class, *args, user=None, **kwargs):
        super().__init__(product_class, *args, **kwargs)
        teams = team_scope(user)
        if "households" in self.fields:
            households = Household.objects.select_related("village").only(
                "pk", "public_name", "village__name", "village"
            )
            villages = Village.objects.all()
            if teams is not None:
                households = households.filter(team__in=teams)
                villages = villages.filter(teams__in=teams).distinct()
            self.fields["households"].queryset = households
            self.fields["origin_village"].queryset = villages


class CategoryForm(oscar_forms.CategoryForm):
    """Oscar's category form, never leaving a category without a slug: an empty slug
    field is filled from the name (or keeps the old slug), and a name that gives no slug
    (only punctuation) is refused. A category without one has no address, and the page
    (and every page listing categories) failed to draw its link. The English name and
    search words are edited beside the Chinese name."""

    class Meta(oscar_forms.CategoryForm.Meta):
        fields = [*oscar_forms.CategoryForm.Meta.fields, "name_en", "search_words_en"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug"):
            name = cleaned.get("name") or ""
            generated = slugify(name)
            if name and not generated:
                self.add_error("name", _("名称里至少要有一个汉字、字母或数字，或者填写网址名。"))
            cleaned["slug"] = generated or self.instance.slug
        return cleaned


class ProductImageForm(oscar_forms.ProductImageForm):
    """Oscar's product photo form (used by its image formset), with the pixel limit."""

    class Meta(oscar_forms.ProductImageForm.Meta):
        field_classes = {"original": LimitedImageField}


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        field_classes = {"photo": LimitedImageField}
        fields = [
            "village",
            "team",
            "public_name",
            "real_name",
            "phone",
            "status",
            "consent_name",
            "consent_photo",
            "photo",
            "produces",
            "story",
            "latitude",
            "longitude",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        teams = team_scope(user)
        if teams is not None:
            self.fields["team"].queryset = self.fields["team"].queryset.filter(
                pk__in=[t.pk for t in teams]
            )
            self.fields["village"].queryset = Village.objects.filter(teams__in=teams).distinct()
            if len(teams) == 1:
                self.fields["team"].initial = teams[0]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("表格文件（.xlsx 或 .csv）"))

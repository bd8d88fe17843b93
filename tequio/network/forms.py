"""Forms of the network capability: they shape input for the services, which decide."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from tequio.core.choices import OrganizationKind, ThematicArea

from .models import (
    INTENSITY_HELP,
    ITEM_LABELS,
    ITEMS,
    AskKind,
    AskTopic,
    Contribution,
    Frequency,
    Intensity,
    Outcome,
    RelationWanted,
    Score,
    Sector,
    SurveyResponse,
    TieType,
    WaveStatus,
)
from .params import NetworkParams
from .svg import GRID_MODES, SIZE_MEASURES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

SIZE_LABELS = {
    "degree": _("Degree (partners)"),
    "betweenness": _("Betweenness (bridging)"),
    "closeness": _("Closeness (reach)"),
    "eigenvector": _("Eigenvector (well-connected partners)"),
    "brokerage": _("Brokerage (Gould-Fernandez)"),
}
SORT_CHOICES = [("name", _("Name")), ("degree", _("Degree")), ("betweenness", _("Betweenness")),
                ("closeness", _("Closeness")), ("eigenvector", _("Eigenvector")), ("constraint", _("Constraint")),
                ("brokerage", _("Brokerage")), ("community", _("Community"))]


def _org_choices(organizations, *, blank: bool = True) -> list[tuple[str, str]]:
    choices = [(str(org.pk), org.name) for org in organizations]
    return ([("", "—")] if blank else []) + choices


class NetworkFilterForm(forms.Form):
    """The network page's controls; every field optional, read from the query string."""

    at = forms.DateField(label=_("Network as it stood on"), required=False, widget=DATE_INPUT,
                         help_text=_("Empty: today."))
    since = forms.DateField(label=_("Show what changed since"), required=False, widget=DATE_INPUT)
    # The convenings known to the network come with the cached measures (see the view).
    convening = forms.DateField(label=_("or since the convening of"), required=False, widget=forms.Select)
    type = forms.MultipleChoiceField(label=_("Tie types"), choices=TieType.choices, required=False,
                                     widget=forms.CheckboxSelectMultiple)
    kind = forms.MultipleChoiceField(label=_("Kinds of organization"), choices=OrganizationKind.choices, required=False,
                                     widget=forms.CheckboxSelectMultiple)
    theme = forms.MultipleChoiceField(label=_("Thematic areas"), choices=ThematicArea.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    confirmed = forms.BooleanField(label=_("Only ties confirmed by both organizations"), required=False)
    size = forms.ChoiceField(label=_("Size of the circles"), choices=[(m, SIZE_LABELS[m]) for m in SIZE_MEASURES],
                             required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def set_convenings(self, convenings) -> None:
        """Offer the days ties were recorded from convenings: [(ISO day, label), ...]."""
        self.fields["convening"].widget.choices = [("", "—")] + [
            (day, f"{day} · {label}" if label else day) for day, label in convenings
        ]

    def clean(self):
        data = super().clean()
        if data.get("convening") and not data.get("since"):
            # Changes are counted after the "since" day; the ties made at the convening count.
            data["since"] = data["convening"] - timedelta(days=1)
        at, since = data.get("at"), data.get("since")
        if at and since and since > at:
            self.add_error("since", _("Choose a date before the date of the map."))
        return data

    def params(self) -> NetworkParams:
        data = self.cleaned_data if self.is_valid() else {}
        return NetworkParams(at=data.get("at"), types=tuple(data.get("type") or ()), kinds=tuple(data.get("kind") or ()),
                             themes=tuple(data.get("theme") or ()), confirmed_only=bool(data.get("confirmed")))


class TieForm(forms.Form):
    source = forms.ChoiceField(label=_("Organization"))
    target = forms.ChoiceField(label=_("Other organization"))
    type = forms.ChoiceField(label=_("Type of tie"), choices=TieType.choices)
    directed = forms.BooleanField(
        label=_("It goes from the first organization to the other"), required=False,
        help_text=_("For referrals and resources given. Leave unticked for ties that go both ways."),
    )
    started_on = forms.DateField(label=_("Started on"), required=False, widget=DATE_INPUT)
    ended_on = forms.DateField(label=_("Ended on"), required=False, widget=DATE_INPUT,
                               help_text=_("Leave empty while the tie continues."))
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, own_organizations, all_organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = _org_choices(own_organizations)
        self.fields["target"].choices = _org_choices(all_organizations)


class TieEditForm(forms.Form):
    type = forms.ChoiceField(label=_("Type of tie"), choices=TieType.choices,
                             help_text=_("A new type must be confirmed again by the other organization."))
    started_on = forms.DateField(label=_("Started on"), required=False, widget=DATE_INPUT)
    ended_on = forms.DateField(label=_("Ended on"), required=False, widget=DATE_INPUT)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class TieFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("All")), ("pending", _("Not yet confirmed")), ("confirmed", _("Confirmed by both")),
        ("declined", _("Declined")), ("mine", _("Waiting for my organization"))])
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All")), *TieType.choices])
    # Validated against the community's organizations by the view: a ChoiceField would
    # normalize hundreds of choices on every request.
    organization = forms.IntegerField(label=_("Organization"), required=False, min_value=1)


class TieImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    default_type = forms.ChoiceField(label=_("Type for rows that name none"), choices=TieType.choices,
                                     initial=TieType.INFORMATION_SHARING)


class WaveForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE_INPUT)
    closes_on = forms.DateField(label=_("Closes on"), required=False, widget=DATE_INPUT)
    status = forms.ChoiceField(label=_("Status"), choices=WaveStatus.choices, initial=WaveStatus.DRAFT)
    instructions = forms.CharField(label=_("Instructions"), required=False, max_length=5000,
                                   widget=forms.Textarea(attrs={"rows": 4}))


class PartnerSelectForm(forms.Form):
    partners = forms.MultipleChoiceField(
        label=_("Organizations yours works with"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose every organization you have worked with in this period, even a little."),
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].choices = [(str(o.pk), o.name) for o in organizations]


class SurveyAnswerForm(forms.Form):
    """One fieldset per selected partner, then what the organization contributes and sees.

    Items are radio buttons 1-4 with their words: on a phone they are large targets and
    need no scrolling select.
    """

    contributions = forms.MultipleChoiceField(
        label=_("What does your organization contribute to the community?"), choices=Contribution.choices,
        required=False, widget=forms.CheckboxSelectMultiple,
    )
    outcomes = forms.MultipleChoiceField(
        label=_("Which outcomes of working together do you see?"), choices=Outcome.choices,
        required=False, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, response: SurveyResponse, **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = []
        score_choices = [("", _("No answer"))] + [(str(value), f"{value} · {label}") for value, label in Score.choices]
        for rating in response.ratings.all():
            prefix = f"p{rating.partner_id}"
            self.fields[f"{prefix}-intensity"] = forms.ChoiceField(
                label=_("Your relationship"), required=False, widget=forms.RadioSelect,
                choices=[(value, f"{label}: {INTENSITY_HELP[value]}") for value, label in Intensity.choices],
                initial=rating.intensity,
            )
            self.fields[f"{prefix}-frequency"] = forms.ChoiceField(
                label=_("How often you work together"), required=False, choices=[("", "—"), *Frequency.choices],
                initial=rating.frequency,
            )
            for item in ITEMS:
                # A plain CharField: the service, not the form, refuses a value outside 1-4,
                # so that the page shows the same message as the API.
                self.fields[f"{prefix}-{item}"] = forms.CharField(
                    label=ITEM_LABELS[item], required=False, widget=forms.RadioSelect(choices=score_choices),
                    initial="" if getattr(rating, item) is None else str(getattr(rating, item)),
                )
            self.partners.append((rating.partner, [self[f"{prefix}-intensity"], self[f"{prefix}-frequency"]],
                                  [self[f"{prefix}-{item}"] for item in ITEMS]))
        self.fields["contributions"].initial = response.contributions
        self.fields["outcomes"].initial = response.outcomes

    def ratings(self) -> dict[int, dict[str, str]]:
        answers: dict[int, dict[str, str]] = {}
        for partner, _relation, _items in self.partners:
            prefix = f"p{partner.pk}"
            answers[partner.pk] = {
                name: self.cleaned_data.get(f"{prefix}-{name}") or "" for name in ("intensity", "frequency", *ITEMS)
            }
        return answers


class StakeholderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    influence = forms.TypedChoiceField(label=_("Influence (power)"), coerce=int, choices=[(i, str(i)) for i in range(1, 6)],
                                       help_text=_("1 = very little, 5 = decisive."))
    alignment = forms.TypedChoiceField(label=_("Alignment with our goals"), coerce=int, empty_value=None, required=False,
                                       choices=[("", "—")] + [(i, str(i)) for i in range(1, 6)],
                                       help_text=_("1 = opposed, 5 = fully aligned."))
    interest = forms.TypedChoiceField(label=_("Interest in our issues"), coerce=int, empty_value=None, required=False,
                                      choices=[("", "—")] + [(i, str(i)) for i in range(1, 6)],
                                      help_text=_("1 = none, 5 = very high."))
    relation_wanted = forms.ChoiceField(label=_("Relation wanted"), required=False, choices=[("", "—"), *RelationWanted.choices])
    held_by = forms.MultipleChoiceField(label=_("Member organizations that hold the relation"), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    relation_notes = forms.CharField(label=_("About the relation"), required=False, max_length=5000,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_by"].choices = [(str(o.pk), o.name) for o in organizations]


class GridModeForm(forms.Form):
    mode = forms.ChoiceField(label=_("Read the grid as"), required=False, choices=[
        (GRID_MODES[0], _("Influence and alignment")), (GRID_MODES[1], _("Power and interest"))])


class OrganizationChoiceForm(forms.Form):
    organization = forms.ChoiceField(label=_("Suggestions for"))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(str(o.pk), o.name) for o in organizations]


class AskForm(forms.Form):
    kind = forms.ChoiceField(label=_("A need or an offer?"), choices=AskKind.choices, widget=forms.RadioSelect)
    topic = forms.ChoiceField(label=_("What"), choices=AskTopic.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Details"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    organization = forms.ChoiceField(label=_("On behalf of"))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = _org_choices(organizations, blank=False)


class AskFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Needs or offers"), required=False, choices=[("", _("All")), *AskKind.choices])
    topic = forms.ChoiceField(label=_("What"), required=False, choices=[("", _("All")), *AskTopic.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("open", _("Open")), ("closed", _("Closed")), ("", _("All"))])


class AnswerForm(forms.Form):
    organization = forms.ChoiceField(label=_("On behalf of"))
    body = forms.CharField(label=_("Your answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = _org_choices(organizations, blank=False)

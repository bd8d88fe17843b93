"""Forms validate shape; services validate meaning. Both errors reach the user translated."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import choices
from .geography import MEXICO_STATES, STATE_HELP, country_choices
from .models import Charter, Community, Goal, Organization, PeerGroup, Person


class TagsField(forms.CharField):
    """Comma-separated free tags, e.g. extra thematic areas."""

    def to_python(self, value):
        value = super().to_python(value)
        return [part.strip() for part in value.split(",") if part.strip()] if value else []


class CommunityForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=choices.CONTENT_LANGUAGES, widget=forms.CheckboxSelectMultiple, initial=["es"]
    )

    class Meta:
        model = Community
        fields = ["name", "slug", "purpose", "languages", "stage", "privacy", "member_led", "require_mfa"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "slug": _("Used in addresses, e.g. /c/short-name/. Letters, numbers and hyphens."),
            "privacy": _("Public: anyone can read the community's page and registry. Members only: listed by name, content for members. Hidden: not listed at all."),
        }


class CommunityCreateForm(CommunityForm):
    convener_organization_name = forms.CharField(
        label=_("Your organization (convener)"), max_length=200, required=False,
        help_text=_("Optional: the organization that convenes this community."),
    )

    class Meta(CommunityForm.Meta):
        fields = ["name", "slug", "purpose", "languages", "stage", "privacy", "require_mfa"]


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "description", "horizon", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class OrganizationForm(forms.ModelForm):
    thematic_areas = forms.MultipleChoiceField(
        label=_("Thematic areas"), choices=choices.ThematicArea.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    other_themes = TagsField(label=_("Other thematic areas"), required=False, help_text=_("Separated by commas."))
    excluded_groups = forms.MultipleChoiceField(
        label=_("Traditionally excluded groups it serves"), choices=choices.ExcludedGroup.choices,
        widget=forms.CheckboxSelectMultiple, required=False,
    )
    country = forms.ChoiceField(label=_("Country"), initial="MX")
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=200)
    state = forms.CharField(label=_("State"), required=False, help_text=STATE_HELP, max_length=100,
                            widget=forms.TextInput(attrs={"list": "mx-states"}))

    class Meta:
        model = Organization
        fields = [
            "name", "kind", "description", "thematic_areas", "country", "state", "municipality", "excluded_groups",
            "size", "founding_year", "website", "offers", "seeks", "tier",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "offers": forms.Textarea(attrs={"rows": 2}),
            "seeks": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()
        if self.instance.pk:
            known = set(choices.ThematicArea.values)
            self.initial["other_themes"] = ", ".join(t for t in self.instance.thematic_areas if t not in known)

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["thematic_areas"] = list(data["thematic_areas"]) + list(self.cleaned_data.get("other_themes") or [])
        data["excluded_groups"] = list(data["excluded_groups"])
        return data


class PersonForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=choices.CONTENT_LANGUAGES, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Person
        fields = ["display_name", "is_pseudonym", "languages", "bio", "email", "phone", "age_band", "gender"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "display_name": _("A pseudonym is fine."),
            "age_band": _("Optional and self-declared."),
            "gender": _("Optional and self-declared."),
        }

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["languages"] = list(data["languages"])
        return data


class AffiliationForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    position = forms.CharField(label=_("Position"), max_length=120, required=False)
    staff_level = forms.ChoiceField(label=_("Staff level"), choices=choices.StaffLevel.choices)
    is_primary = forms.BooleanField(label=_("Main affiliation"), required=False, initial=True)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this community's organizations: an id from another community is invalid.
        self.fields["organization"].queryset = Organization.objects.active().filter(community=community)


class CharterForm(forms.ModelForm):
    class Meta:
        model = Charter
        fields = [
            "roles_responsibilities", "leadership_model", "rotation_period_months", "decision_rule",
            "rules_of_engagement", "accountability", "participation_scheme", "expected_effort",
            "adopted_on", "adopted_how", "review_period_months",
        ]
        widgets = {
            "roles_responsibilities": forms.Textarea(attrs={"rows": 4}),
            "rules_of_engagement": forms.Textarea(attrs={"rows": 4}),
            "accountability": forms.Textarea(attrs={"rows": 3}),
            "participation_scheme": forms.Textarea(attrs={"rows": 3}),
            "adopted_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        data = super().clean()
        if data.get("leadership_model") == choices.LeadershipModel.ROTATING and not data.get("rotation_period_months"):
            self.add_error("rotation_period_months", _("A rotating leadership needs a rotation period."))
        return data


class PeerGroupForm(forms.ModelForm):
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = PeerGroup
        fields = ["name", "basis", "description", "members"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Person.objects.active().filter(community=community)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=choices.Role.choices, initial=choices.Role.MEMBER)
    organization = forms.ModelChoiceField(label=_("Organization"), queryset=Organization.objects.none(), required=False)
    message = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.active().filter(community=community)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=choices.Role.choices)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “evaluation script”."))


class OrganizationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *choices.OrganizationKind.choices])
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All states")), *MEXICO_STATES])
    theme = forms.ChoiceField(label=_("Thematic area"), required=False, choices=[("", _("All areas")), *choices.ThematicArea.choices])


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    staff_level = forms.ChoiceField(label=_("Staff level"), required=False, choices=[("", _("All levels")), *choices.StaffLevel.choices])

"""Forms validate shape; services validate meaning. Both errors reach the user translated."""

from __future__ import annotations

import html

from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from . import choices
from .geography import MEXICO_STATES, STATE_HELP, country_choices
from .models import Charter, Community, Goal, Organization, PeerGroup, Person


def _escape(value) -> str:
    # The long-list widgets below build HTML by hand: every value goes through here.
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """Like ``flatatt``, without its per-call overhead (it runs once per option)."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False and value is not None:
            parts.append(f' {name}="{_escape(value)}"')
    return "".join(parts)


def _options_html(optgroups, option_html, group_html) -> str:
    parts = []
    for group, options, _index in optgroups:
        inner = "".join(option_html(option) for option in options)
        parts.append(group_html(_escape(group), inner) if group else inner)
    return "".join(parts)


# What a choice list of organizations needs: the label, and what services check.
CHOICE_FIELDS = ("id", "community_id", "removed_at", "name")


class LongSelect(forms.Select):
    """A select whose options are built in Python, for lists that grow with the community.

    Django renders every option through the template engine; with the 400
    organizations of a large community that alone took most of a page's time
    (measured by ``tequio bench pages``). The HTML is the same, every value escaped.
    """

    def render(self, name, value, attrs=None, renderer=None):
        # Straight from the choices: Django's get_context() builds a dict of attributes per
        # option first, which for a long list costs more than the rest of the page.
        selected = {str(item) for item in self.format_value(value)}

        def option(choice_value, label) -> str:
            text = "" if choice_value is None else str(choice_value)
            mark = " selected" if text in selected else ""
            return f'<option value="{_escape(text)}"{mark}>{_escape(label)}</option>'

        parts = []
        for choice_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                inner = "".join(option(value_, label_) for value_, label_ in label)
                parts.append(f'<optgroup label="{_escape(choice_value)}">{inner}</optgroup>')
            else:
                parts.append(option(choice_value, label))
        final_attrs = self.build_attrs(self.attrs, attrs)
        return mark_safe(f'<select name="{_escape(name)}"{_attrs(final_attrs)}>{"".join(parts)}</select>')


class _NameChoices(forms.models.ModelChoiceIterator):
    """Options from (id, name) rows: no model instance is built per option (validation
    still goes through the field's queryset)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", self.field.name_field)


class NamedChoiceField(forms.ModelChoiceField):
    """A choice of one row of a list that grows with the community (organizations: their
    name; people: ``name_field="display_name"``), drawn by ``LongSelect``."""

    iterator = _NameChoices
    widget = LongSelect

    def __init__(self, *args, name_field: str = "name", **kwargs):
        self.name_field = name_field
        super().__init__(*args, **kwargs)


class LongCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes built in Python, for lists that grow with the community (see ``LongSelect``)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = _options_html(widget["optgroups"], lambda option: (
            f'<div><label{_attrs({"for": option["attrs"].get("id")})}><input type="{_escape(option["type"])}" '
            f'name="{_escape(option["name"])}" value="{_escape(option["value"])}"{_attrs(option["attrs"])}> '
            f"{_escape(option['label'])}</label></div>"
        ), lambda label, inner: f"<div><label>{label}</label>{inner}</div>")
        outer = _attrs({"id": widget["attrs"].get("id"), "class": widget["attrs"].get("class")})
        return mark_safe(f"<div{outer}>{options}</div>")


class IdsField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows that refuses ids no database column can hold.

    Django asks the database about ``pk__in`` first; an id beyond 64 bits then raises
    OverflowError on SQLite (a 500) instead of the form's "not a valid value" error.
    """

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else []:
            if isinstance(pk, str) and pk.strip().lstrip("-").isdigit() and not -(2**63) <= int(pk) < 2**63:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": pk})
        return super()._check_values(value)


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
    country = forms.ChoiceField(label=_("Country"), initial="MX", widget=LongSelect)
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
    organization = NamedChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    position = forms.CharField(label=_("Position"), max_length=120, required=False)
    staff_level = forms.ChoiceField(label=_("Staff level"), choices=choices.StaffLevel.choices)
    is_primary = forms.BooleanField(label=_("Main affiliation"), required=False, initial=True)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this community's organizations: an id from another community is invalid.
        self.fields["organization"].queryset = Organization.objects.active().filter(community=community).only(*CHOICE_FIELDS)


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
    members = IdsField(
        label=_("Members"), queryset=Person.objects.none(), required=False, widget=LongCheckboxSelectMultiple
    )

    class Meta:
        model = PeerGroup
        fields = ["name", "basis", "description", "members"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        if "members" in self.fields:
            self.fields["members"].queryset = Person.objects.active().filter(community=community).only(
                "id", "community_id", "removed_at", "display_name"
            )


class PeerGroupCreateForm(PeerGroupForm):
    """Name and purpose only: members are chosen next, on the group's own page.

    The list page stays light however many people the community has (a checkbox per
    person made it take over a second with 2,000 people).
    """

    members = None

    class Meta(PeerGroupForm.Meta):
        fields = ["name", "basis", "description"]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=choices.Role.choices, initial=choices.Role.MEMBER)
    organization = NamedChoiceField(label=_("Organization"), queryset=Organization.objects.none(), required=False)
    message = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.active().filter(community=community).only(*CHOICE_FIELDS)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=choices.Role.choices)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “evaluation script”."))


class OrganizationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *choices.OrganizationKind.choices],
                             widget=LongSelect)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All states")), *MEXICO_STATES], widget=LongSelect)
    theme = forms.ChoiceField(label=_("Thematic area"), required=False, choices=[("", _("All areas")), *choices.ThematicArea.choices],
                              widget=LongSelect)


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    staff_level = forms.ChoiceField(label=_("Staff level"), required=False, choices=[("", _("All levels")), *choices.StaffLevel.choices])

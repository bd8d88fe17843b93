"""Forms validate shape; services validate meaning. Both errors reach the user translated."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tequio.core.forms import NamedChoiceField
from tequio.core.models import Community, Organization, PeerGroup, Person

from .models import (
    CHOICE_KINDS,
    ActionItem,
    ActionStatus,
    AfterActionReview,
    Convening,
    ConveningSettings,
    FeedKind,
    QuestionKind,
    Questionnaire,
    RoleKind,
    Session,
)

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _organizations(community: Community):
    return Organization.objects.active().filter(community=community).order_by("name")


def _people(community: Community):
    return Person.objects.active().filter(community=community).order_by("display_name", "id")


class ConveningForm(forms.ModelForm):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME_WIDGET)
    online_url = forms.URLField(label=_("Online meeting link"), required=False, assume_scheme="https", max_length=200,
                                help_text=_("Shown to participants only."))

    class Meta:
        model = Convening
        fields = ["title", "objectives", "starts_at", "ends_at", "mode", "place", "online_url", "held_alongside", "host_organization"]
        widgets = {"objectives": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_organization"].queryset = _organizations(community)

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            self.add_error("ends_at", _("A convening cannot end before it starts."))
        return data

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SessionForm(forms.ModelForm):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME_WIDGET, required=False)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME_WIDGET, required=False)

    class Meta:
        model = Session
        fields = ["title", "kind", "peer_group", "starts_at", "ends_at", "room"]
        help_texts = {"peer_group": _("For a parallel session: the peer group that meets in it.")}

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["peer_group"].queryset = PeerGroup.objects.active().filter(community=community)


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Topic"), max_length=200)
    description = forms.CharField(label=_("Why it matters (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)
    organization = forms.TypedChoiceField(label=_("On behalf of"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only people of several organizations choose; the others propose for their own.
        self.organizations = {org.pk: org for org in organizations}
        if len(organizations) > 1:
            self.fields["organization"].choices = [("", "—")] + [(org.pk, org.name) for org in organizations]
        else:
            del self.fields["organization"]

    def chosen_organization(self) -> Organization | None:
        return self.organizations.get(self.cleaned_data.get("organization"))


class VoteForm(forms.Form):
    delta = forms.TypedChoiceField(choices=[("1", "+1"), ("-1", "-1")], coerce=int)
    organization = forms.IntegerField(required=False, min_value=1)


class ScheduleForm(forms.Form):
    """One select per topic: the session it goes into (or none)."""

    def __init__(self, *args, items, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Not scheduled"))] + [(str(session.pk), str(session)) for session in sessions]
        self.sessions = {str(session.pk): session for session in sessions}
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=item.title, choices=choices, required=False, initial=str(item.session_id or ""),
            )

    def placements(self) -> dict:
        return {
            int(name.removeprefix("item_")): self.sessions.get(value) if value else None
            for name, value in self.cleaned_data.items()
        }


class RolesForm(forms.Form):
    """A person per role, pre-filled with the suggestion; the steward confirms or changes."""

    def __init__(self, *args, community: Community, suggestions, **kwargs):
        super().__init__(*args, **kwargs)
        people = _people(community)
        self.suggestions = {suggestion.role: suggestion for suggestion in suggestions}
        for value, label in RoleKind.choices:
            suggestion = self.suggestions.get(value)
            self.fields[value] = NamedChoiceField(
                label=label, queryset=people, required=False, name_field="display_name",
                initial=suggestion.person.pk if suggestion and suggestion.person else None,
            )

    def choices(self) -> dict:
        """{role: (person, reason, from_suggestion)} for the roles given."""
        chosen = {}
        for role in RoleKind.values:
            person = self.cleaned_data.get(role)
            if person is None:
                continue
            suggestion = self.suggestions.get(role)
            suggested = bool(suggestion and suggestion.person and suggestion.person.pk == person.pk)
            chosen[role] = (person, suggestion.reason if suggested else "", suggested)
        return chosen


class AttendanceForm(forms.Form):
    person = NamedChoiceField(label=_("Person"), queryset=Person.objects.none(), name_field="display_name")
    organization = NamedChoiceField(label=_("Organization (if not their main one)"), queryset=Organization.objects.none(), required=False)

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people(community)
        self.fields["organization"].queryset = _organizations(community)


class ReportForm(forms.Form):
    insights = forms.CharField(label=_("Key insights"), widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=20000,
                               help_text=_("What the group learned. Markdown is allowed."))
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=20000)
    methodologies = forms.CharField(label=_("Methodologies shared"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20000)
    resources = forms.CharField(label=_("Resources shared"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20000,
                                help_text=_("Guides, contacts, links, templates."))
    publish = forms.BooleanField(label=_("Publish (observers can read it)"), required=False)


class ConnectionForm(forms.Form):
    organization_a = NamedChoiceField(label=_("Organization"), queryset=Organization.objects.none())
    organization_b = NamedChoiceField(label=_("connected with"), queryset=Organization.objects.none())
    description = forms.CharField(label=_("What they will do together"), max_length=300, required=False)

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization_a"].queryset = _organizations(community)
        self.fields["organization_b"].queryset = _organizations(community)


class ActionItemForm(forms.ModelForm):
    due_on = forms.DateField(label=_("Due on"), widget=DATE_WIDGET, required=False)

    class Meta:
        model = ActionItem
        fields = ["title", "owner", "owner_organization", "due_on", "status"]

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _people(community)
        self.fields["owner_organization"].queryset = _organizations(community)

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


class AARForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = AfterActionReview
        fields = list(AfterActionReview.TEXT_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in AfterActionReview.TEXT_FIELDS}


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ConveningSettings
        fields = ["votes_per_organization", "reminder_days_before"]


class QuestionnaireForm(forms.ModelForm):
    start_from = forms.ChoiceField(label=_("Start from"), required=False)

    class Meta:
        model = Questionnaire
        fields = ["title", "description", "anonymous", "convening"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, community: Community, templates=(), creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty to use the template's title.") if creating else ""
        self.fields["convening"].queryset = Convening.objects.active().filter(community=community).order_by("-starts_at")
        if creating:
            self.fields["start_from"].choices = (
                [("", _("A blank questionnaire")), ("builtin:post_convening", _("Built-in: after the convening (satisfaction and learning)"))]
                + [(f"template:{template.pk}", _("Template: %(title)s") % {"title": template.title}) for template in templates]
            )
        else:
            del self.fields["start_from"]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=500)
    help = forms.CharField(label=_("Hint (optional)"), max_length=300, required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    choices = forms.CharField(
        label=_("Choices, one per line"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000,
        help_text=_("For choice and ranking questions. An agreement scale gets its five levels when left empty."),
    )

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("choices", "").splitlines() if line.strip()]

    def clean(self):
        data = super().clean()
        if data.get("kind") in CHOICE_KINDS and data.get("kind") != QuestionKind.LIKERT and len(self.choice_list()) < 2:
            self.add_error("choices", _("A choice question needs at least two choices, one per line."))
        return data


class XLSFormImportForm(forms.Form):
    file = forms.FileField(label=_("XLSForm file (.xlsx)"), help_text=_("From KoboToolbox or ODK: the survey and choices sheets are read."))
    anonymous = forms.BooleanField(label=_("Anonymous answers"), required=False, initial=True)
    convening = forms.ModelChoiceField(label=_("Convening"), queryset=Convening.objects.none(), required=False)

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convening"].queryset = Convening.objects.active().filter(community=community).order_by("-starts_at")


class AnswerForm(forms.Form):
    """One field per question; ranking questions get one position select per option
    so that they work on a phone without JavaScript."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            options = [(choice.value, choice.label) for choice in question.choices.all()]
            common = {"label": question.text, "help_text": question.help, "required": question.required}
            if question.kind in (QuestionKind.LIKERT, QuestionKind.SINGLE):
                field = forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
            elif question.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(choices=options, widget=forms.CheckboxSelectMultiple, **common)
            elif question.kind == QuestionKind.RANKING:
                positions = [("", "–")] + [(str(n), str(n)) for n in range(1, len(options) + 1)]
                for value, label in options:
                    self.fields[f"{question.name}__{value}"] = forms.ChoiceField(label=label, choices=positions, required=False)
                continue
            elif question.kind == QuestionKind.NUMBER:
                field = forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), max_length=30, **common)
            elif question.kind == QuestionKind.SHORT_TEXT:
                field = forms.CharField(max_length=300, **common)
            else:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, **common)
            self.fields[question.name] = field

    def rows(self) -> list[dict]:
        """Per question, its bound fields (one per option for a ranking), for the template."""
        rows = []
        for question in self.questions:
            if question.kind == QuestionKind.RANKING:
                fields = [self[f"{question.name}__{choice.value}"] for choice in question.choices.all()]
                rows.append({"question": question, "ranking": True, "fields": fields})
            else:
                rows.append({"question": question, "ranking": False, "field": self[question.name]})
        return rows

    def answers(self) -> dict:
        """Values by question name, in the shape ``services.response_submit`` takes."""
        answers = {}
        for question in self.questions:
            if question.kind == QuestionKind.RANKING:
                positions = []
                for choice in question.choices.all():
                    position = self.cleaned_data.get(f"{question.name}__{choice.value}")
                    if position:
                        positions.append((int(position), choice.value))
                if len({position for position, _value in positions}) != len(positions):
                    self.add_error(None, _("“%(question)s”: give each option a different position.") % {"question": question.text})
                answers[question.name] = [value for _position, value in sorted(positions)]
            else:
                answers[question.name] = self.cleaned_data.get(question.name)
        return answers


class CalendarFeedForm(forms.Form):
    kind = forms.ChoiceField(choices=FeedKind.choices, widget=forms.HiddenInput)


class LessonsSearchForm(forms.Form):
    q = forms.CharField(label=_("Search lessons"), max_length=200, required=False)

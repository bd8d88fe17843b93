"""Forms validate shape; services validate meaning. Both errors reach the user translated."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import STATEMENT_MAX_LENGTH, Consultation, ConsultationState, StatementStatus
from .services import CODE_LENGTH, MAX_LINK_USES, normalize_code

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ConsultationForm(forms.ModelForm):
    opens_at = forms.DateTimeField(label=_("Opens"), required=False, widget=DATETIME_WIDGET,
                                   help_text=_("Leave empty to open as soon as you open it."))
    closes_at = forms.DateTimeField(label=_("Closes"), required=False, widget=DATETIME_WIDGET,
                                    help_text=_("Leave empty to close it by hand."))

    class Meta:
        model = Consultation
        fields = ["question", "context", "language", "audience", "moderation_required", "opens_at", "closes_at"]
        widgets = {"question": forms.Textarea(attrs={"rows": 2}), "context": forms.Textarea(attrs={"rows": 5})}

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("A consultation must close after it opens."))
        return data

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ConsultationCreateForm(ConsultationForm):
    seed_statements = forms.CharField(
        label=_("Statements to start with"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One per line. Short, clear statements that people can agree or disagree with."),
    )
    open_now = forms.BooleanField(label=_("Open it now"), required=False,
                                  help_text=_("Otherwise it stays a draft that only stewards see."))

    def service_fields(self) -> dict:
        fields = super().service_fields()
        fields["seed_statements"] = self.cleaned_data["seed_statements"].splitlines()
        fields["state"] = ConsultationState.OPEN if self.cleaned_data["open_now"] else ConsultationState.DRAFT
        return fields


class StateForm(forms.Form):
    state = forms.ChoiceField(choices=ConsultationState.choices)


VOTE_CHOICES = [("agree", _("Agree")), ("disagree", _("Disagree")), ("pass", _("Pass / unsure"))]


class VoteForm(forms.Form):
    statement = forms.IntegerField(min_value=1, widget=forms.HiddenInput,
                                   error_messages={"required": _("Choose a statement to answer.")})
    vote = forms.ChoiceField(choices=VOTE_CHOICES, error_messages={"required": _("Choose agree, disagree or pass.")})


class StatementForm(forms.Form):
    # The limit is checked by the service, with a message that says how long the text is;
    # the browser's maxlength spares phone users a round trip.
    text = forms.CharField(
        label=_("Your statement"), strip=True, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": STATEMENT_MAX_LENGTH}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per request: "%" on a lazy string at import time would freeze it in English.
        self.fields["text"].help_text = _(
            "One idea that others can agree or disagree with, in at most %(limit)d characters.",
        ) % {"limit": STATEMENT_MAX_LENGTH}


class SeedForm(forms.Form):
    text = forms.CharField(label=_("Statement"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "maxlength": STATEMENT_MAX_LENGTH}))


MODERATION_CHOICES = [
    (StatementStatus.ACCEPTED, _("Accept")), (StatementStatus.REJECTED, _("Reject")), (StatementStatus.SPAM, _("Spam")),
]


class ModerationForm(forms.Form):
    status = forms.ChoiceField(choices=MODERATION_CHOICES)


class InvitationLinkForm(forms.Form):
    label = forms.CharField(label=_("For whom"), max_length=120, required=False,
                            help_text=_("For your own records, e.g. “Workshop with young people in Tijuana”."))
    max_uses = forms.IntegerField(label=_("How many people may use it"), min_value=1, max_value=MAX_LINK_USES, initial=30)


class JoinCodeForm(forms.Form):
    # A phone keyboard in capitals, without autocorrect "fixing" the code into a word.
    code = forms.CharField(label=_("Invitation code"), max_length=40,
                           help_text=_("The code you were given, e.g. ABCDE-23456."),
                           widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off",
                                                         "autocorrect": "off", "spellcheck": "false"}))

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(_("This code is not valid. Check it and try again."))
        return code

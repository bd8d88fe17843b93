"""The upload form of the import page. It checks the size; the importer checks the content."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import tabular

IMPORT_KINDS = [
    ("organizations", _("Organizations")),
    ("people", _("People")),
    ("registry", _("Both: an XLSX workbook with the sheets “organizations” and “people”")),
]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file holds"), choices=IMPORT_KINDS, initial="organizations", widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8, separated by commas or semicolons) or XLSX."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Checked before reading: the upload may already sit in a temporary file on disk.
        if upload.size > tabular.max_bytes():
            raise ValidationError(
                _("The file is larger than the limit of %(limit)s bytes.") % {"limit": f"{tabular.max_bytes():,}"}
            )
        return upload

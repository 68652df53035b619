from datetime import timedelta

from django import forms
from django.utils import timezone

from insights.metrics import CHOICES
from insights.models import DashboardSettings, Deal, ImportJob, Outcome
from insights.periods import PRESET_WEEKS, Period

MAX_CUSTOM_DAYS = 2 * 366


class PeriodForm(forms.Form):
    weeks = forms.ChoiceField(
        label="Period",
        required=False,
        choices=[(str(n), f"Last {n} weeks") for n in PRESET_WEEKS]
        + [("custom", "Custom dates")],
    )
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("weeks") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("Choose both dates of a custom period.")
            if start > end:
                raise forms.ValidationError("The period must start before it ends.")
            if (end - start).days > MAX_CUSTOM_DAYS:
                raise forms.ValidationError("Choose a period of two years or less.")
        return data

    def period(self, today=None) -> Period:
        """The chosen period; the last 12 weeks when nothing valid was chosen."""
        today = today or timezone.localdate()
        if not self.is_valid():
            return Period.last_weeks(12, today=today)
        choice = self.cleaned_data.get("weeks") or "12"
        if choice == "custom":
            return Period(
                start=self.cleaned_data["start"],
                end=self.cleaned_data["end"] + timedelta(days=1),
            )
        return Period.last_weeks(int(choice), today=today)


class DashboardSettingsForm(forms.ModelForm):
    headline_metrics = forms.MultipleChoiceField(
        label="Headline metrics",
        choices=CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Pick three to five; they lead the dashboard.",
    )

    class Meta:
        model = DashboardSettings
        fields = [
            "headline_metrics",
            "min_n",
            "currency",
            "hours_per_call",
            "loaded_cost_per_hour",
        ]

    def clean_headline_metrics(self):
        chosen = self.cleaned_data["headline_metrics"]
        if not 3 <= len(chosen) <= 5:
            raise forms.ValidationError("Pick between three and five metrics.")
        return chosen

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()


class DealForm(forms.ModelForm):
    class Meta:
        model = Deal
        fields = [
            "prospect",
            "title",
            "amount",
            "currency",
            "stage",
            "outcome",
            "opened_on",
            "closed_on",
            "lifetime_value",
            "source",
            "crm_id",
        ]
        widgets = {
            "opened_on": forms.DateInput(attrs={"type": "date"}),
            "closed_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, prospects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prospect"].queryset = prospects
        if not self.instance.pk:
            self.fields["opened_on"].initial = timezone.localdate()

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()

    def clean_crm_id(self):
        return self.cleaned_data["crm_id"] or None

    def clean(self):
        data = super().clean()
        outcome, closed_on = data.get("outcome"), data.get("closed_on")
        if outcome in (Outcome.WON, Outcome.LOST) and not closed_on:
            self.add_error("closed_on", "A won or lost deal needs its closing date.")
        if outcome == Outcome.OPEN and closed_on:
            self.add_error("closed_on", "An open deal has no closing date yet.")
        opened_on = data.get("opened_on")
        if opened_on and closed_on and closed_on < opened_on:
            self.add_error("closed_on", "A deal cannot close before its first touch.")
        return data


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=ImportJob.Kind)
    file = forms.FileField(
        label="CSV file",
        help_text="Comma-separated, UTF-8, with a header row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class MappingForm(forms.Form):
    """One select per field of the import: which CSV column feeds it."""

    def __init__(self, *args, fields, headers, initial_mapping, **kwargs):
        super().__init__(*args, **kwargs)
        options = [("", "— not in this file —")] + [(h, h) for h in headers]
        for spec in fields:
            self.fields[spec.name] = forms.ChoiceField(
                label=spec.label,
                choices=options,
                required=spec.required,
                initial=initial_mapping.get(spec.name, ""),
                help_text=spec.help,
            )

    def mapping(self) -> dict[str, str]:
        return {name: column for name, column in self.cleaned_data.items() if column}

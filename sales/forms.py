from django import forms
from django.contrib.auth import get_user_model

from sales.models import Call, Consent, Prospect
from sales.roles import SALES_GROUPS


class ConsentForm(forms.Form):
    choice = forms.ChoiceField(choices=[(Consent.YES, "Yes"), (Consent.NO, "No")])


class OwnLinkForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=150)
    email = forms.EmailField(
        label="Your work email",
        help_text="We send your own link here. Nothing else is sent.",
    )


class ProspectForm(forms.ModelForm):
    class Meta:
        model = Prospect
        fields = [
            "name",
            "email",
            "company",
            "committee_role",
            "owner",
            "source",
            "stage",
            "became_mql_at",
            "became_sql_at",
        ]
        widgets = {
            "became_mql_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "became_sql_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def __init__(self, *args, user, can_choose_owner: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if can_choose_owner:
            self.fields["owner"].queryset = (
                get_user_model()
                .objects.filter(groups__name__in=SALES_GROUPS, is_active=True)
                .distinct()
                .order_by("first_name", "username")
            )
            self.fields["owner"].initial = user.pk
        else:
            del self.fields["owner"]


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = ["starts_at", "notes"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class AssignmentForm(forms.Form):
    """The note and call of a new assignment; the pieces come as page ids."""

    note = forms.CharField(
        label="Personal note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown at the top of the prospect's reading list.",
    )
    call = forms.ModelChoiceField(
        label="Before the call on", queryset=Call.objects.none(), required=False
    )
    pages = forms.TypedMultipleChoiceField(
        label="Pieces",
        coerce=int,
        choices=(),
        error_messages={
            "required": "Pick at least one piece to read.",
        },
    )
    required_pages = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), required=False
    )

    def __init__(self, *args, prospect: Prospect, page_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = prospect.calls.upcoming()
        self.fields["pages"].choices = page_choices
        self.fields["required_pages"].choices = page_choices

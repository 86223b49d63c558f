"""Forms of the officer's pages: the decision in one action, booking the joint
inspection, and the results recorded on site."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.forms import UswdsMixin
from ventanilla.agencies.choices import InspectionResult, ReasonCategory, ReviewStatus
from ventanilla.core.errors import BusinessError

REQUEST_INFORMATION = "request_information"
DECISIONS = [
    ("approve", _("Approve")),
    ("reject", _("Reject")),
    ("inspect", _("Inspect the goods")),
    (REQUEST_INFORMATION, _("Ask the trader for information")),
]


class Styled(UswdsMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def add_business_error(self, error: BusinessError) -> None:
        """A service's refusal, beside the field it names (or above the form)."""
        for item in error.items:
            name = item.field if item.field in self.fields else None
            self.add_error(name, str(item.message))


class DecisionForm(Styled):
    decision = forms.ChoiceField(
        label=_("Your decision"), choices=DECISIONS, widget=forms.RadioSelect
    )
    reason_category = forms.ChoiceField(
        label=_("Reason category"),
        required=False,
        help_text=_(
            "The trader sees this category and your agency's name. Needed to reject or inspect."
        ),
    )
    reason = forms.CharField(
        label=_("Your reason (internal)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept on record for the agencies. Never shown to the trader."),
    )
    message = forms.CharField(
        label=_("Question to the trader"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only when you ask for information: the trader reads this question."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["reason_category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [("", _("Choose…")), *ReasonCategory.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == REQUEST_INFORMATION:
            if not (data.get("message") or "").strip():
                self.add_error("message", _("Write the question to the trader."))
        elif decision and not (data.get("reason") or "").strip():
            # ui-principles: a decision in one action, always with its reason.
            self.add_error("reason", _("Give the reason for your decision: it is kept on record."))
        return data


class BookForm(Styled):
    location = forms.CharField(
        label=_("Place (UN/LOCODE)"),
        max_length=5,
        widget=forms.TextInput(attrs={"class": "usa-input--md"}),
    )
    place = forms.CharField(
        label=_("Where exactly"),
        max_length=200,
        required=False,
        help_text=_("For example the terminal and the inspection area."),
    )
    when = forms.ChoiceField(
        label=_("When"),
        widget=forms.RadioSelect,
        choices=[("next", _("The first free slot")), ("at", _("At a time I choose"))],
        initial="next",
    )
    scheduled_at = forms.DateTimeField(
        label=_("Date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("when") == "at" and not data.get("scheduled_at"):
            self.add_error("scheduled_at", _("Give the date and time of the inspection."))
        return data


class ResultForm(Styled):
    result = forms.ChoiceField(
        label=_("Result of the inspection"),
        choices=InspectionResult.choices,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Notes (internal)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What was found. Needed when there is an irregularity; never shown to the trader."
        ),
    )


class SampleForm(Styled):
    reference = forms.CharField(label=_("Sample reference"), max_length=50)
    lab = forms.CharField(label=_("Laboratory"), max_length=200)


class LabResultForm(Styled):
    result = forms.CharField(
        label=_("Laboratory result"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    adverse = forms.TypedChoiceField(
        label=_("Is the result adverse?"),
        coerce=lambda v: v == "1",
        choices=[("0", _("No, favourable")), ("1", _("Yes, adverse"))],
        widget=forms.RadioSelect,
    )


class QueueFilterForm(Styled):
    status = forms.ChoiceField(label=_("State"), required=False)
    perishable = forms.ChoiceField(
        label=_("Perishable goods"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Perishable only")), ("no", _("Not perishable"))],
    )
    breached = forms.ChoiceField(
        label=_("Service level"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Overdue only")), ("no", _("Within time"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [
            ("", _("To act on now")),
            *[(s.value, s.label) for s in ReviewStatus if s != ReviewStatus.SUPERSEDED],
        ]

"""Forms of the officer's pages: the decision in one action, booking the joint
inspection, and the results recorded on site; the supervisor's requirement lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.forms import UswdsMixin
from ventanilla.accounts.models import Organisation
from ventanilla.agencies.choices import (
    InspectionResult,
    ReasonCategory,
    RequirementAction,
    ReviewStatus,
)
from ventanilla.core.errors import BusinessError
from ventanilla.declarations.choices import DeclarationType
from ventanilla.reference.selectors import document_type_qs

REQUEST_INFORMATION = "request_information"
DECISIONS = [
    ("approve", _("Approve")),
    ("reject", _("Reject")),
    ("inspect", _("Inspect the goods")),
    (REQUEST_INFORMATION, _("Ask the trader for information")),
]
DAY = "%Y-%m-%d"
# A short code typed in capitals (country, procedure): the services normalise the case.
CODE = forms.TextInput(attrs={"class": "usa-input--xs", "autocapitalize": "characters"})


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


# --- the requirement matrix (TFA 8, 10.1) ---------------------------------------------------


class RequirementLineForm(Styled):
    """Every field of ``requirement_line_add``. The form checks types and the limits of
    the API's serializer; the services judge the values (``rules.LINE_RULES``), so the
    API and the pages refuse the same lines with the same messages."""

    agency = forms.TypedChoiceField(label=_("Agency"), coerce=int)
    hs_prefix = forms.CharField(
        label=_("HS or national tariff prefix"),
        max_length=12,
        widget=forms.TextInput(attrs={"class": "usa-input--small", "inputmode": "numeric"}),
        help_text=_(
            "2 to 6 digits of the HS (chapter, heading or subheading), or 8 to 10 digits "
            "of a national tariff line. The line applies to every code that starts with "
            "it: 0804 covers all of heading 08.04."
        ),
        error_messages={"required": _("Give the HS or tariff prefix.")},
    )
    origin_country = forms.CharField(
        label=_("Country of origin"), required=False, max_length=2, widget=CODE
    )
    export_country = forms.CharField(
        label=_("Country of export"), required=False, max_length=2, widget=CODE
    )
    destination_country = forms.CharField(
        label=_("Country of destination"), required=False, max_length=2, widget=CODE
    )
    declaration_type = forms.ChoiceField(label=_("Declaration type"), required=False)
    procedure_code = forms.CharField(
        label=_("Procedure"),
        required=False,
        max_length=4,
        widget=CODE,
        help_text=_("A four-digit procedure code, such as 4000. Blank: every procedure."),
    )
    action = forms.ChoiceField(
        label=_("What your agency does"),
        help_text=_(
            "A review: your officers examine the declaration. A permit: the declaration "
            "must also carry the document chosen below."
        ),
        error_messages={"required": _("Choose what your agency does.")},
    )
    document_type_code = forms.ChoiceField(
        label=_("Document required"),
        required=False,
        help_text=_("The permit or certificate (WCO code). Needed for a permit."),
        error_messages={"invalid_choice": _("Choose a document type from the list.")},
    )
    description_en = forms.CharField(
        label=_("Description in English"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the trader must obtain or expect. Published on the trade portal."),
        error_messages={"required": _("Describe the requirement in English at least.")},
    )
    description_es = forms.CharField(
        label=_("Description in Spanish"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Blank: readers of the Spanish pages see the English description."),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        required=False,
        max_length=300,
        help_text=_("The law or regulation that requires it, published with the line."),
    )
    sequence = forms.IntegerField(
        label=_("Sequence"),
        min_value=0,
        max_value=99,
        initial=0,
        widget=forms.NumberInput(attrs={"class": "usa-input--xs"}),
        help_text=_(
            "0: your agency acts at the same time as the others. A higher number: it acts "
            "once the lines with lower numbers are approved (1 to act after them)."
        ),
    )
    sla_hours = forms.IntegerField(
        label=_("Service level (hours)"),
        min_value=0,
        max_value=8760,
        initial=24,
        widget=forms.NumberInput(attrs={"class": "usa-input--xs"}),
        help_text=_("The hours your agency has to decide."),
    )
    perishable_sla_hours = forms.IntegerField(
        label=_("Service level for perishables (hours)"),
        min_value=0,
        max_value=8760,
        initial=4,
        widget=forms.NumberInput(attrs={"class": "usa-input--xs"}),
        help_text=_(
            "Perishable goods are decided sooner (WTO TFA 7.9): at most the service level above."
        ),
    )
    valid_from = forms.DateField(
        label=_("Valid from"),
        widget=forms.DateInput(attrs={"type": "date", "class": "usa-input--md"}, format=DAY),
        input_formats=[DAY, "%d/%m/%Y"],
        help_text=_("Today or a later day, for example 2027-01-31."),
    )

    def __init__(
        self,
        *args: Any,
        agencies: Sequence[Organisation] = (),
        keep_code: str = "",
        changing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if len(agencies) > 1:  # a supervisor of one agency is not asked
            self.set_choices("agency", [(a.pk, a.label) for a in agencies], _("Choose…"))
        else:
            del self.fields["agency"]
        self.set_choices("action", RequirementAction.choices, _("Choose…"))
        self.set_choices("declaration_type", DeclarationType.choices, _("Every type"))
        documents = [(d.code, f"{d.code} {d.name}") for d in document_type_qs()]
        if keep_code and keep_code not in {code for code, _label in documents}:
            documents.append((keep_code, keep_code))  # a code since withdrawn stays as it is
        self.set_choices("document_type_code", documents, _("None (a review only)"))
        for name in ("origin_country", "export_country", "destination_country"):
            self.fields[name].help_text = _("Two-letter ISO code, such as MX. Blank: any country.")
        if changing:
            self.fields["valid_from"].label = _("The changes take effect from")

    def set_choices(self, name: str, choices: Sequence[tuple[Any, Any]], blank: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", blank), *choices]


class EndLineForm(Styled):
    valid_to = forms.DateField(
        label=_("The line ends on"),
        widget=forms.DateInput(attrs={"type": "date", "class": "usa-input--md"}, format=DAY),
        input_formats=[DAY, "%d/%m/%Y"],
        help_text=_(
            "Today or a later day. From that day on, the line no longer applies; "
            "declarations lodged before keep it."
        ),
    )

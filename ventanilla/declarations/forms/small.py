"""The small forms around a declaration: reasons, answers, a second test, the list filter."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.forms import UswdsMixin
from ventanilla.declarations.choices import Status


class ReasonForm(UswdsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, label: Any = None, help_text: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["reason"].label = label
        if help_text is not None:
            self.fields["reason"].help_text = help_text
        self._style_widgets()


class AnswerForm(UswdsMixin, forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class SecondTestForm(UswdsMixin, forms.Form):
    lab = forms.CharField(
        label=_("Laboratory you ask for"),
        max_length=200,
        required=False,
        help_text=_("Leave blank to let the agency choose an accredited laboratory."),
    )
    reason = forms.CharField(
        label=_("Your grounds"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class OrganisationForm(UswdsMixin, forms.Form):
    organisation = forms.TypedChoiceField(
        label=_("Who do you lodge for?"), coerce=int, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, organisations: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["organisation"]
        assert isinstance(org_field, forms.TypedChoiceField)
        org_field.choices = [(o.pk, f"{o.name} ({o.code})") for o in organisations]


SORTS: dict[str, tuple[Any, str]] = {
    # key: (label, order_by)
    "-created": (_("Newest first"), "-created_at"),
    "created": (_("Oldest first"), "created_at"),
    "eta": (_("Arrival, soonest first"), "estimated_arrival"),
    "-eta": (_("Arrival, latest first"), "-estimated_arrival"),
    "mrn": (_("MRN"), "mrn"),
    "status": (_("Status"), "status"),
}


class ListFilterForm(UswdsMixin, forms.Form):
    q = forms.CharField(label=_("MRN, LRN or vessel"), max_length=35, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    perishable = forms.ChoiceField(
        label=_("Perishable goods"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Perishable only")), ("no", _("Not perishable"))],
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status_field = self.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)
        status_field.choices = [
            ("", _("Any status")),
            *[(s.value, s.label) for s in Status if s != Status.DRAFT],
        ]
        sort_field = self.fields["sort"]
        assert isinstance(sort_field, forms.ChoiceField)
        sort_field.choices = [(k, label) for k, (label, _o) in SORTS.items()]
        self._style_widgets()

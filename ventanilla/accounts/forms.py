"""Forms for the account pages, rendered with the USWDS form classes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.choices import MandateKind
from ventanilla.accounts.models import Membership

_WIDGET_CLASSES = {
    forms.Select: "usa-select",
    forms.Textarea: "usa-textarea",
    forms.CheckboxInput: "usa-checkbox__input",
}


class UswdsMixin:
    """Adds the USWDS class to every widget (``usa-input`` unless told otherwise)."""

    fields: dict[str, forms.Field]

    def _style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            css = next(
                (c for kind, c in _WIDGET_CLASSES.items() if isinstance(widget, kind)),
                "usa-input",
            )
            existing = widget.attrs.get("class", "")
            widget.attrs["class"] = f"{existing} {css}".strip()


class SignInForm(UswdsMixin, auth_forms.AuthenticationForm):
    """Django's sign-in form, asking for the e-mail address (the user's username)."""

    username = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail address")
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self._style_widgets()


class PasswordResetForm(UswdsMixin, auth_forms.PasswordResetForm):
    """Sends the reset link in the user's own language, whatever the page's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail address")
        self._style_widgets()

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        language = getattr(context.get("user"), "preferred_language", "") or (
            translation.get_language() or settings.LANGUAGE_CODE
        )
        with translation.override(language):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


class SetPasswordForm(UswdsMixin, auth_forms.SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()


class ApiTokenCreateForm(UswdsMixin, forms.Form):
    """A new API token for one organisation the user manages."""

    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Say which system uses it, for example “Declarations software”."),
    )
    user = forms.ChoiceField(
        label=_("Acts as"),
        help_text=_("The token acts as this member, in this organisation only."),
    )
    expires_at = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("The last day the token works. Leave empty for a token that does not expire."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, members: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        seen: dict[int, str] = {}
        for m in members:
            if m.is_active and m.user_id not in seen:
                seen[m.user_id] = f"{m.user} ({m.user.email})" if m.user.full_name else m.user.email
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ChoiceField)
        user_field.choices = list(seen.items())
        self._style_widgets()

    def clean_expires_at(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("expires_at")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("The date must be today or later."))
        return day

    def expires_at_datetime(self) -> dt.datetime | None:
        """The token works until the end of the chosen day, local time."""
        day = self.cleaned_data.get("expires_at")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


class MandateGrantForm(UswdsMixin, forms.Form):
    """A trader gives a customs broker the power to lodge in its name (TFA 10.6)."""

    broker = forms.CharField(
        label=_("Customs broker's identifier"),
        max_length=35,
        help_text=_("The broker's tax number (RUC), as registered in Ventanilla."),
    )
    kind = forms.ChoiceField(
        label=_("Representation"),
        choices=MandateKind.choices,
        help_text=_(
            "Direct: the broker acts in your name. Indirect: in its own name, on your behalf."
        ),
    )
    valid_from = forms.DateField(
        label=_("Valid from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    valid_to = forms.DateField(
        label=_("Valid until (exclusive)"),
        required=False,
        help_text=_("The first day the mandate no longer applies. Leave empty for no end."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style_widgets()

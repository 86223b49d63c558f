"""``ventanilla organisation_names CODE --name es="Servicio Nacional de Sanidad Vegetal"
--name en="National Plant Health Service"``: a public body's official name in each
language, shown to each reader in theirs (TFA 1.1). ``--clear`` goes back to the
registered name in every language. Recorded in the audit trail."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Organisation
from ventanilla.accounts.services import organisation_names_set


class Command(BaseCommand):
    help = "Set an organisation's official name in each language (agencies, ministries)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("code", help="The organisation's identifier (tax number, agency code).")
        parser.add_argument(
            "--name",
            action="append",
            default=[],
            metavar="LANG=NAME",
            help='The name in one language, e.g. es="Servicio Nacional de Aduanas"; repeat it.',
        )
        parser.add_argument(
            "--clear", action="store_true", help="Show the registered name in every language."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["clear"] == bool(options["name"]):
            raise CommandError(_("Give --name LANG=NAME (one or more) or --clear."))
        names: dict[str, str] = {}
        for given in options["name"]:
            language, sep, name = given.partition("=")
            if not sep or language.strip() in names:
                raise CommandError(
                    _("--name %(given)s: write LANG=NAME, once per language.") % {"given": given}
                )
            names[language.strip()] = name.strip()
        org = Organisation.objects.filter(code=options["code"]).first()
        if org is None:
            raise CommandError(
                _("No organisation has the identifier %(code)s.") % {"code": options["code"]}
            )
        try:
            org = organisation_names_set(organisation=org, names=names, by=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.message_dict["names"])) from error
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(org.names.items())) or org.name
        self.stdout.write(_("%(code)s is shown as %(names)s") % {"code": org.code, "names": shown})

"""``Authorization: Token vt_…`` for organisations' systems (a broker's software)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ventanilla.accounts.services import api_token_authenticate


class OrganisationTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed token header."))
        try:
            secret = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Malformed token header.")) from exc
        token = api_token_authenticate(secret=secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        user = token.user
        user.token_organisation_id = token.organisation_id
        # What the token's query already found, for the selectors of this request only
        # (the user object is built afresh for each request): the organisation acted
        # for, or none if the user is no longer an active member of it.
        member = getattr(token, "member", False)  # annotated by api_token_authenticate
        user.token_acting_organisations = (token.organisation,) if member else ()
        return user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class OrganisationTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token scheme in the OpenAPI document for brokers' developers."""

    target_class = OrganisationTokenAuthentication
    name = "organisationToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token vt_<prefix>_<secret>`: an organisation's API token.",
        }

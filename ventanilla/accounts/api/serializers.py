from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ventanilla.accounts.models import ApiToken, Membership, Organisation, User


class OrganisationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "kind", "kind_label", "name", "code", "country", "agency_function"]


class PublicAgencySerializer(serializers.ModelSerializer):
    agency_function_label = serializers.CharField(source="get_agency_function_display")

    class Meta:
        model = Organisation
        fields = ["id", "name", "code", "country", "agency_function", "agency_function_label"]


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    role = serializers.CharField(source="role.code")
    role_name = serializers.CharField(source="role.name")

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "role_name", "is_active"]


class MeSerializer(serializers.ModelSerializer):
    organisations = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "preferred_language",
            "is_superuser",
            "organisations",
            "permissions",
        ]

    def get_organisations(self, user: User) -> list[dict[str, Any]]:
        rows: dict[int, dict[str, Any]] = {}
        for m in self.context["memberships"]:
            row = rows.setdefault(
                m.organisation_id,
                {
                    **OrganisationSerializer(m.organisation).data,
                    "roles": [],
                },
            )
            row["roles"].append(m.role.code)
        return list(rows.values())

    def get_permissions(self, user: User) -> list[str]:
        return sorted(user.get_all_permissions())


class ApiTokenSerializer(serializers.ModelSerializer):
    user = serializers.EmailField(source="user.email")
    is_usable = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "user",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "is_usable",
        ]


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    user = serializers.EmailField(
        required=False, help_text=_("Member the token acts as; you by default.")
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True)

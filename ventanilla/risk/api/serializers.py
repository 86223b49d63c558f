"""Input and output shapes of the risk API. Input serializers check types only; the
business rules (criteria, import alert scope, outcomes) are the services' own, so the
pages and the API refuse the same things with the same codes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ventanilla.declarations.choices import Channel
from ventanilla.risk.choices import OutcomeResult, ProfileKind
from ventanilla.risk.engine import explain
from ventanilla.risk.models import RiskAssessment, RiskOutcome, RiskProfile

TARGET_CHANNELS = [(Channel.YELLOW, Channel.YELLOW.label), (Channel.RED, Channel.RED.label)]


class ProfileContentSerializer(serializers.Serializer):
    """What a version says; every field optional when revising."""

    name_en = serializers.CharField(max_length=200)
    name_es = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=ProfileKind.choices)
    channel = serializers.ChoiceField(choices=TARGET_CHANNELS)
    # Shapes inside these are checked by the service's rules (codes and paths).
    criteria = serializers.JSONField(required=False)
    hs_prefixes = serializers.JSONField(required=False)
    origin_countries = serializers.JSONField(required=False)
    entry_points = serializers.JSONField(required=False)
    ends_on = serializers.DateField(required=False, allow_null=True)
    review_on = serializers.DateField(required=False, allow_null=True)
    rationale = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    random_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )
    priority = serializers.IntegerField(required=False, min_value=1, max_value=999)
    valid_from = serializers.DateField(required=False)


class ProfileCreateSerializer(ProfileContentSerializer):
    code = serializers.CharField(max_length=30)
    owner = serializers.IntegerField(help_text=_("Id of the owner agency."))


class ProfileReviseSerializer(ProfileContentSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.required = False


class RetireSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class OwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class ProfileSerializer(serializers.ModelSerializer):
    owner = OwnerSerializer()
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = RiskProfile
        fields = [
            "id",
            "code",
            "version",
            "name",
            "name_en",
            "name_es",
            "owner",
            "kind",
            "channel",
            "criteria",
            "hs_prefixes",
            "origin_countries",
            "entry_points",
            "ends_on",
            "review_on",
            "rationale",
            "random_rate",
            "priority",
            "status",
            "valid_from",
            "valid_to",
            "in_force",
            "change_reason",
            "published_at",
            "retired_at",
            "created_at",
        ]

    def get_in_force(self, profile: RiskProfile) -> bool:
        return profile.in_force()


class OutcomeInputSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=OutcomeResult.choices)
    revenue_amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, min_value=0
    )
    agency = serializers.IntegerField(
        required=False, help_text=_("Needed only when acting for several.")
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class OutcomeSerializer(serializers.ModelSerializer):
    agency = OwnerSerializer()

    class Meta:
        model = RiskOutcome
        fields = ["id", "assessment", "agency", "result", "revenue_amount", "notes", "created_at"]


class AssessmentSerializer(serializers.ModelSerializer):
    matches = serializers.SerializerMethodField()
    outcomes = OutcomeSerializer(many=True, read_only=True)

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "declaration",
            "declaration_version",
            "channel",
            "random_selected",
            "profiles_evaluated",
            "assessed_on",
            "created_at",
            "matches",
            "outcomes",
        ]

    def get_matches(self, assessment: RiskAssessment) -> list[dict[str, Any]]:
        # Re-rendered in the reader's language from the stored conditions.
        return [
            {**m, "explanation": explain(m["conditions"], m.get("draw"), m.get("rate"))}
            for m in assessment.matches
        ]


class AssessmentSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskAssessment
        fields = ["id", "declaration_version", "channel", "assessed_on", "created_at"]


class PeriodSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class HitRateSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    owner_code = serializers.CharField()
    kind = serializers.CharField()
    channel = serializers.CharField()
    selections = serializers.IntegerField()
    outcomes = serializers.IntegerField()
    pending = serializers.IntegerField()
    irregularities = serializers.IntegerField()
    seizures = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=18, decimal_places=2)
    hit_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)

"""Serializers of the agencies API. Two families of output: the officer's (the whole
case, internal reasons included) and the trader's (agency, status and reason category,
never an officer's words, never the channel — TFA 5.2, ui-principles)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ventanilla.agencies.choices import (
    Decision,
    InspectionResult,
    ReviewStatus,
)
from ventanilla.agencies.models import (
    AgencyReview,
    InformationRequest,
    Inspection,
    InspectionParticipant,
    RequirementLine,
    ReviewEvent,
    Sample,
    SecondTestRequest,
)
from ventanilla.declarations.api.output import ItemOut
from ventanilla.declarations.models import Declaration, Document

# --- inputs -------------------------------------------------------------------------


class QueueFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    perishable = serializers.BooleanField(required=False, allow_null=True, default=None)
    breached = serializers.BooleanField(required=False, allow_null=True, default=None)


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    reason_category = serializers.CharField(
        required=False, allow_blank=True, max_length=24, default=""
    )


class InformationRequestCreateSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(required=False, allow_blank=True, max_length=8000, default="")


class InspectionBookSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text=_("Blank: the first free slot.")
    )
    location = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5,
        default="",
        help_text=_("UN/LOCODE; blank: the port of discharge or loading."),
    )
    place = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    duration_minutes = serializers.IntegerField(
        required=False, min_value=5, max_value=480, default=30
    )


class NextSlotQuerySerializer(serializers.Serializer):
    location = serializers.CharField(max_length=5)
    perishable = serializers.BooleanField(required=False, default=False)


class NextSlotSerializer(serializers.Serializer):
    location = serializers.CharField()
    perishable = serializers.BooleanField()
    slot = serializers.DateTimeField()


class AgencyChoiceSerializer(serializers.Serializer):
    agency = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Only when you work for several agencies."),
    )


class ResultSerializer(AgencyChoiceSerializer):
    result = serializers.ChoiceField(choices=InspectionResult.choices)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class SampleCreateSerializer(AgencyChoiceSerializer):
    reference = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    lab = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class LabResultSerializer(serializers.Serializer):
    result = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    adverse = serializers.BooleanField()


class SecondTestCreateSerializer(serializers.Serializer):
    lab = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class RequirementFieldsSerializer(serializers.Serializer):
    hs_prefix = serializers.CharField(max_length=12)
    action = serializers.CharField(max_length=10)
    description_en = serializers.CharField(max_length=300, allow_blank=True)
    description_es = serializers.CharField(max_length=300, allow_blank=True, required=False)
    origin_country = serializers.CharField(max_length=2, allow_blank=True, required=False)
    export_country = serializers.CharField(max_length=2, allow_blank=True, required=False)
    destination_country = serializers.CharField(max_length=2, allow_blank=True, required=False)
    declaration_type = serializers.CharField(max_length=2, allow_blank=True, required=False)
    procedure_code = serializers.CharField(max_length=4, allow_blank=True, required=False)
    document_type_code = serializers.CharField(max_length=6, allow_blank=True, required=False)
    sequence = serializers.IntegerField(min_value=0, max_value=99, required=False)
    sla_hours = serializers.IntegerField(min_value=0, max_value=8760, required=False)
    perishable_sla_hours = serializers.IntegerField(min_value=0, max_value=8760, required=False)
    legal_basis = serializers.CharField(max_length=300, allow_blank=True, required=False)
    valid_from = serializers.DateField(required=False)


class RequirementCreateSerializer(RequirementFieldsSerializer):
    agency = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("Only when you supervise several agencies.")
    )


class RequirementChangeSerializer(RequirementFieldsSerializer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class RequirementEndSerializer(serializers.Serializer):
    valid_to = serializers.DateField(required=False, allow_null=True, default=None)


class PublicLookupSerializer(serializers.Serializer):
    hs_code = serializers.RegexField(r"^[\d. ]{2,14}$", max_length=14)
    origin = serializers.RegexField(r"^[A-Za-z]{2}$", required=False)
    declaration_type = serializers.ChoiceField(choices=["IM", "EX", "TR"], required=False)
    procedure_code = serializers.RegexField(r"^\d{4}$", required=False)
    day = serializers.DateField(required=False)


# --- outputs: the requirement matrix ----------------------------------------------------


class RequirementLineSerializer(serializers.ModelSerializer):
    agency_code = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.label")
    agency_function = serializers.CharField(source="agency.agency_function")
    action_label = serializers.CharField(source="get_action_display")

    class Meta:
        model = RequirementLine
        fields = [
            "id",
            "key",
            "agency_code",
            "agency_name",
            "agency_function",
            "hs_prefix",
            "origin_country",
            "export_country",
            "destination_country",
            "declaration_type",
            "procedure_code",
            "action",
            "action_label",
            "document_type_code",
            "description",
            "description_en",
            "description_es",
            "sequence",
            "sla_hours",
            "perishable_sla_hours",
            "legal_basis",
            "valid_from",
            "valid_to",
        ]


# --- outputs: the officer's side --------------------------------------------------------


def _seconds_left(review: AgencyReview) -> int | None:
    left = review.time_left(timezone.now())
    return int(left.total_seconds()) if left is not None else None


class ReviewQueueSerializer(serializers.ModelSerializer):
    declaration_ref = serializers.CharField(source="declaration.__str__")
    trader_name = serializers.CharField(source="declaration.trader.label", default="")
    agency_code = serializers.CharField(source="agency.code")
    status_label = serializers.CharField(source="get_status_display")
    is_perishable = serializers.BooleanField()
    time_left_seconds = serializers.SerializerMethodField()
    breached = serializers.SerializerMethodField()
    assigned_to = serializers.EmailField(source="assigned_to.email", default=None)

    class Meta:
        model = AgencyReview
        fields = [
            "id",
            "declaration_id",
            "declaration_ref",
            "trader_name",
            "agency_code",
            "round",
            "status",
            "status_label",
            "sequence",
            "is_perishable",
            "priority",
            "due_at",
            "paused_at",
            "paused_seconds",
            "time_left_seconds",
            "breached",
            "assigned_to",
            "reason_category",
            "required_documents",
            "created_at",
        ]

    def get_time_left_seconds(self, review: AgencyReview) -> int | None:
        return _seconds_left(review)

    def get_breached(self, review: AgencyReview) -> bool:
        return review.is_breached(timezone.now())


class ReviewEventSerializer(serializers.ModelSerializer):
    actor = serializers.EmailField(source="actor.email", default=None)

    class Meta:
        model = ReviewEvent
        fields = ["from_status", "to_status", "at", "actor", "reason", "reason_category"]


class InformationRequestSerializer(serializers.ModelSerializer):
    review_id = serializers.IntegerField()
    declaration_id = serializers.IntegerField(source="review.declaration_id")
    declaration_ref = serializers.CharField(source="review.declaration.__str__")
    agency_code = serializers.CharField(source="review.agency.code")
    agency_name = serializers.CharField(source="review.agency.label")

    class Meta:
        model = InformationRequest
        fields = [
            "id",
            "review_id",
            "declaration_id",
            "declaration_ref",
            "agency_code",
            "agency_name",
            "status",
            "message",
            "requested_at",
            "answer",
            "answered_at",
        ]


class SecondTestSerializer(serializers.ModelSerializer):
    class Meta:
        model = SecondTestRequest
        fields = ["id", "status", "lab", "reason", "requested_at", "result", "adverse", "result_at"]


class SampleSerializer(serializers.ModelSerializer):
    agency_code = serializers.CharField(source="participant.agency.code")
    second_test = serializers.SerializerMethodField()

    class Meta:
        model = Sample
        fields = [
            "id",
            "agency_code",
            "reference",
            "lab",
            "taken_at",
            "result",
            "adverse",
            "result_at",
            "second_test",
        ]

    def get_second_test(self, sample: Sample) -> dict[str, Any] | None:
        second = getattr(sample, "second_test", None)
        return SecondTestSerializer(second).data if second is not None else None


class ParticipantSerializer(serializers.ModelSerializer):
    """Results are shared between agencies (TFA 8); notes only with their own agency."""

    agency_code = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.label")
    notes = serializers.SerializerMethodField()
    samples = SampleSerializer(many=True)

    class Meta:
        model = InspectionParticipant
        fields = ["id", "agency_code", "agency_name", "result", "notes", "recorded_at", "samples"]

    def get_notes(self, participant: InspectionParticipant) -> str | None:
        own = self.context.get("own_agency_ids")
        return participant.notes if own is not None and participant.agency_id in own else None


class InspectionSerializer(serializers.ModelSerializer):
    participants = ParticipantSerializer(many=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "status",
            "location",
            "place",
            "scheduled_at",
            "duration_minutes",
            "is_perishable",
            "started_at",
            "ended_at",
            "participants",
        ]


class OtherReviewSerializer(serializers.ModelSerializer):
    agency_code = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.label")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = AgencyReview
        fields = [
            "id",
            "agency_code",
            "agency_name",
            "sequence",
            "status",
            "status_label",
            "reason_category",
            "due_at",
            "decided_at",
        ]


class DocumentSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["type_code", "reference", "issued_on", "issuer", "items"]

    def get_items(self, document: Document) -> list[int]:
        return [i.sequence for i in document.items.all()]


class DeclarationSummarySerializer(serializers.ModelSerializer):
    trader_name = serializers.CharField(source="trader.label")
    declarant_name = serializers.CharField(source="declarant.label")
    carrier_name = serializers.CharField(source="carrier.label", default=None)
    # The goods as the declarations app shows them (one shape for every reader).
    items = ItemOut(many=True)
    documents = DocumentSerializer(many=True)

    class Meta:
        model = Declaration
        fields = [
            "id",
            "mrn",
            "lrn",
            "version",
            "declaration_type",
            "procedure_code",
            "status",
            "channel",
            "trader_name",
            "declarant_name",
            "carrier_name",
            "office_code",
            "transport_mode",
            "conveyance_ref",
            "transport_document_ref",
            "loading_location",
            "discharge_location",
            "estimated_arrival",
            "arrived_at",
            "export_country",
            "destination_country",
            "incoterm",
            "invoice_currency",
            "invoice_amount",
            "is_perishable",
            "items",
            "documents",
        ]


class ReviewDetailSerializer(ReviewQueueSerializer):
    """The review itself, for its own agency: internal reason and history included."""

    requirement_lines = RequirementLineSerializer(many=True)
    events = ReviewEventSerializer(many=True)
    information_requests = InformationRequestSerializer(many=True)

    class Meta(ReviewQueueSerializer.Meta):
        fields = [
            *ReviewQueueSerializer.Meta.fields,
            "reason",
            "started_at",
            "decided_at",
            "requirement_lines",
            "events",
            "information_requests",
        ]


class ReviewCaseSerializer(serializers.Serializer):
    """The whole case on one screen (ui-principles; TFA 8: the shared view)."""

    review = ReviewDetailSerializer()
    declaration = DeclarationSummarySerializer()
    other_reviews = OtherReviewSerializer(many=True)
    inspection = InspectionSerializer(allow_null=True)
    missing_documents = serializers.ListField(child=serializers.CharField())


# --- outputs: the trader's side ---------------------------------------------------------


class TraderParticipantSerializer(serializers.ModelSerializer):
    agency_code = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.label")
    samples = SampleSerializer(many=True)

    class Meta:
        model = InspectionParticipant
        fields = ["agency_code", "agency_name", "result", "recorded_at", "samples"]


class TraderInspectionSerializer(serializers.ModelSerializer):
    participants = TraderParticipantSerializer(many=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "status",
            "location",
            "place",
            "scheduled_at",
            "duration_minutes",
            "started_at",
            "ended_at",
            "participants",
        ]


class TraderReviewSerializer(serializers.ModelSerializer):
    """What the trader sees of a review: agency, status, reason category, expected time."""

    agency_code = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.label")
    status_label = serializers.CharField(source="get_status_display")
    reason_category_label = serializers.CharField(source="get_reason_category_display")
    required_documents = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = AgencyReview
        fields = [
            "id",
            "agency_code",
            "agency_name",
            "round",
            "status",
            "status_label",
            "reason_category",
            "reason_category_label",
            "required_documents",
            "due_at",
            "decided_at",
        ]

"""Models of the agencies app: the requirement matrix, reviews, joint inspections."""

from ventanilla.agencies.models.inspections import (
    Inspection,
    InspectionEvent,
    InspectionParticipant,
    Sample,
    SecondTestRequest,
)
from ventanilla.agencies.models.requirements import InspectionCalendar, RequirementLine
from ventanilla.agencies.models.reviews import AgencyReview, InformationRequest, ReviewEvent

__all__ = [
    "AgencyReview",
    "InformationRequest",
    "Inspection",
    "InspectionCalendar",
    "InspectionEvent",
    "InspectionParticipant",
    "RequirementLine",
    "ReviewEvent",
    "Sample",
    "SecondTestRequest",
]

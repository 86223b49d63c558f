"""Writes of the agencies app (ADR 0005). Each service is one transaction with its audit
event, sends ``agencies.signals.review_changed`` inside it after any change of a review or
inspection, and leaves notices to be sent once committed."""

from ventanilla.agencies.services.inspections import (
    inspection_book,
    inspection_cancel,
    inspection_record_result,
    inspection_start,
)
from ventanilla.agencies.services.requirements import (
    requirement_line_add,
    requirement_line_change,
    requirement_line_end,
)
from ventanilla.agencies.services.reviews import (
    information_answer,
    information_request,
    review_decide,
    review_start,
)
from ventanilla.agencies.services.routing import (
    ReviewRequest,
    reviews_open,
    reviews_open_many,
    reviews_withdraw,
)
from ventanilla.agencies.services.samples import (
    sample_record,
    sample_result_record,
    second_test_request,
    second_test_result_record,
)
from ventanilla.agencies.slots import inspection_next_slot

__all__ = [
    "ReviewRequest",
    "information_answer",
    "information_request",
    "inspection_book",
    "inspection_cancel",
    "inspection_next_slot",
    "inspection_record_result",
    "inspection_start",
    "requirement_line_add",
    "requirement_line_change",
    "requirement_line_end",
    "review_decide",
    "review_start",
    "reviews_open",
    "reviews_open_many",
    "reviews_withdraw",
    "sample_record",
    "sample_result_record",
    "second_test_request",
    "second_test_result_record",
]

"""The question pages of a declaration and the small forms around it.

A step page posts plain fields named after the input shape (``lrn``,
``items-0-tariff_line``, ``parties-trader-identifier``…); ``parse_step`` writes them
into the draft's content as typed, and ``step_errors`` checks the step with the same
``DeclarationInput`` serializer and the same rules as the lodgement, keeping only the
problems of that step. Every problem carries the id of its input, so the error summary
links to it and the message shows beside it.

The package, from the bottom up: ``paths`` (steps, input ids, problems), ``content``
(reading a step's POST, checking a step), ``inputs``, ``step_pages`` and ``pages`` (what
a step page shows) and ``small`` (the forms around a declaration). The views import the package as
``forms`` and use the names below.
"""

from ventanilla.declarations.choices import DeclarationType, TransportMode
from ventanilla.declarations.forms.content import parse_step, step_errors, validated
from ventanilla.declarations.forms.inputs import Choices, Input, StepPage
from ventanilla.declarations.forms.pages import (
    build_page,
    next_step,
    previous_step,
    seed_documents,
)
from ventanilla.declarations.forms.paths import STEP_TITLES, Problem, party, problems_from
from ventanilla.declarations.forms.small import (
    SORTS,
    AnswerForm,
    ListFilterForm,
    OrganisationForm,
    ReasonForm,
    SecondTestForm,
)

__all__ = [
    "SORTS",
    "STEP_TITLES",
    "AnswerForm",
    "Choices",
    # The views read the step page's choices through this package.
    "DeclarationType",
    "Input",
    "ListFilterForm",
    "OrganisationForm",
    "Problem",
    "ReasonForm",
    "SecondTestForm",
    "StepPage",
    "TransportMode",
    "build_page",
    "next_step",
    "parse_step",
    "party",
    "previous_step",
    "problems_from",
    "seed_documents",
    "step_errors",
    "validated",
]

"""The requirement matrix is published in both languages (TFA 1.2): modeltranslation adds
``description_en`` and ``description_es``."""

from modeltranslation.translator import TranslationOptions, register

from ventanilla.agencies.models import RequirementLine


@register(RequirementLine)
class RequirementLineTranslation(TranslationOptions):
    fields = ("description",)

"""Content fields carried in both languages (modeltranslation adds ``name_en``/``name_es``)."""

from modeltranslation.translator import TranslationOptions, register

from ventanilla.risk.models import RiskProfile


@register(RiskProfile)
class RiskProfileTranslation(TranslationOptions):
    fields = ("name",)

"""Content fields carried in both languages (modeltranslation adds ``_en``/``_es``), and
change history for every reference model.

History is registered here, after the translated fields exist, so the historical
tables also keep both languages (registering in models.py would build them first).
"""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from ventanilla.reference import models as m


@register(m.Country)
@register(m.Currency)
@register(m.HSEdition)
@register(m.HSSection)
@register(m.CustomsOffice)
@register(m.UnitOfMeasure)
@register(m.PackageType)
@register(m.DocumentType)
class NameTranslation(TranslationOptions):
    fields = ("name",)


@register(m.HSCode)
@register(m.TariffLine)
class DescriptionTranslation(TranslationOptions):
    fields = ("description",)


for _model in (
    m.Country,
    m.Currency,
    m.HSEdition,
    m.HSCode,
    m.TariffLine,
    m.Location,
    m.CustomsOffice,
    m.UnitOfMeasure,
    m.PackageType,
    m.DocumentType,
):
    simple_history.register(_model)

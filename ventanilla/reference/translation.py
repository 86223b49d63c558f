"""Content fields carried in both languages (modeltranslation adds ``_en``/``_es``)."""

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

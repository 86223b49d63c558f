from modeltranslation.translator import TranslationOptions, register

from ventanilla.accounts.models import Role


@register(Role)
class RoleTranslation(TranslationOptions):
    fields = ("name", "description")

"""A compiled twin of the DRF input serializers, for the lodgement hot path.

DRF validates a 10-item declaration field by field in Python (about 140 fields, 1.7 ms
per declaration): in bulk lodgement that was half the time of a 100-declaration request
(issue 3 benchmark). The serializers in ``serializers.py`` stay the one definition of
the input and the one source of error messages. From them this module builds, once, a
pydantic model that accepts exactly the inputs the serializer accepts *in their plain
form* (strings as strings, numbers as JSON numbers or decimal strings, booleans as
booleans) and returns the same validated data — decimals quantized, strings trimmed,
defaults filled, the serializer's own ``validate_<field>`` methods applied. Choices,
strings with lengths and a plain regex, and decimals in plain notation are checked inside
pydantic-core, with no Python call per value (a 100-declaration bulk request: 45 ms of
validation down to 29 ms); the rest call the Python checks below.

Anything else — any error, any input in a form the twin does not take (a number where
a string is expected, "true" for a boolean) — returns ``None``, and the caller runs the
DRF serializer, which accepts or refuses it with its usual codes, paths and translated
messages. The twin may therefore be stricter than DRF, never looser; a property test
(tests/test_fastpath.py) checks that on random payloads.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal

from django.core import validators
from django.core.exceptions import ValidationError as DjangoValidationError
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetPydanticSchema,
    PlainValidator,
    StringConstraints,
    create_model,
)
from pydantic import ValidationError as PydanticError
from pydantic_core import core_schema as cs
from rest_framework import fields as f
from rest_framework import serializers
from rest_framework import validators as drf_validators
from rest_framework.exceptions import ValidationError as DRFError


class _Refused(ValueError):
    """The twin does not decide this value: the DRF serializer will."""


_STRING_VALIDATORS = (
    validators.MaxLengthValidator,
    validators.MinLengthValidator,
    validators.ProhibitNullCharactersValidator,
    drf_validators.ProhibitSurrogateCharactersValidator,
    validators.RegexValidator,
)
_NUMBER_VALIDATORS = (validators.MinValueValidator, validators.MaxValueValidator)


def _others(field: f.Field, known: tuple[type, ...]) -> list[Any]:
    return [v for v in field.validators if not isinstance(v, known)]


def _run(others: list[Any], value: Any) -> None:
    """Validators the twin does not know by kind: run as DRF runs them."""
    for other in others:
        try:
            other(value)
        except DjangoValidationError as exc:
            raise _Refused from exc


def _compiled(validator: validators.RegexValidator) -> re.Pattern[str]:
    """The validator's regex compiled here, not reached through its lazy object (a proxy
    lookup on every call)."""
    regex = validator.regex
    if isinstance(regex, str):
        return re.compile(regex, validator.flags)
    return re.compile(regex.pattern, regex.flags)


def _check_string(field: f.CharField) -> Callable[[str], str]:
    """DRF's CharField: trimmed, blank refused unless allowed, lengths, no NUL or
    surrogate characters, the regex of a RegexField, then any other validator."""
    allow_blank, trim = field.allow_blank, field.trim_whitespace
    longest, shortest = field.max_length, field.min_length
    regexes = [
        (_compiled(v), v.inverse_match)
        for v in field.validators
        if isinstance(v, validators.RegexValidator)
    ]
    others = _others(field, _STRING_VALIDATORS)

    def check(value: str) -> str:
        value = value.strip() if trim else value
        if value == "":
            if not allow_blank:
                raise _Refused
            return value
        if (longest is not None and len(value) > longest) or (
            shortest is not None and len(value) < shortest
        ):
            raise _Refused
        if "\x00" in value:
            raise _Refused
        try:
            value.encode("utf-8")  # lone surrogates cannot be encoded
        except UnicodeEncodeError as exc:
            raise _Refused from exc
        for regex, inverse in regexes:
            if bool(regex.search(value)) == inverse:
                raise _Refused
        _run(others, value)
        return value

    return check


# Checked inside pydantic-core, with no call back into Python per value. The pattern
# leaves to DRF what the two would treat differently: NUL (DRF refuses it) and the
# separators U+001C..U+001F, which Python's ``str.strip`` removes and Rust's ``trim``
# keeps. Lone surrogates are refused by pydantic-core itself (``string_unicode``).
_PLAIN_TEXT = r"^[^\x00\x1c-\x1f]*\Z"


def _native_string(field: f.CharField) -> Any | None:
    """A CharField as pydantic-core constraints: lengths, and the field's own regex if it
    has one plain regex (searched, as Django does, after the plain-text check). ``None``
    when the Python check is needed: other validators, several or inverted or flagged
    regexes, or a blank allowed beside a minimum length (constraints cannot say that)."""
    regexes = [v for v in field.validators if isinstance(v, validators.RegexValidator)]
    if _others(field, _STRING_VALIDATORS) or len(regexes) > 1:
        return None
    pattern = _PLAIN_TEXT
    if regexes:
        regex = _compiled(regexes[0])
        if regexes[0].inverse_match or regex.flags & ~re.UNICODE:
            return None
        pattern = rf"^(?={_PLAIN_TEXT[1:]})(?s:.*?)(?:{regex.pattern})"
    shortest = field.min_length or 0
    if field.allow_blank and shortest:
        return None
    return Annotated[
        str,
        Field(strict=True),
        StringConstraints(
            strip_whitespace=field.trim_whitespace,
            min_length=shortest if field.allow_blank else max(shortest, 1),
            max_length=field.max_length,
            pattern=pattern,
        ),
    ]


def _check_decimal(field: f.DecimalField) -> Callable[[Any], Any]:
    """DRF's DecimalField (``to_internal_value``, ``validate_precision``, ``quantize``)
    for a JSON number or a decimal string."""
    places, max_digits, max_whole = field.decimal_places, field.max_digits, field.max_whole_digits
    assert places is not None and max_digits is not None and max_whole is not None
    quantum = Decimal(".1") ** places
    context = decimal.Context(prec=max_digits, rounding=field.rounding or decimal.ROUND_HALF_EVEN)
    low, high = field.min_value, field.max_value
    others = _others(field, _NUMBER_VALIDATORS)

    def check(data: Any) -> Decimal | None:
        if data is None:
            if not field.allow_null:
                raise _Refused
            return None
        if type(data) is int:
            text = str(data)
        elif type(data) is str:
            text = data.strip()
        else:  # floats, booleans: DRF decides
            raise _Refused
        if not text or len(text) > field.MAX_STRING_LENGTH:
            raise _Refused
        try:
            value = Decimal(text)
        except decimal.InvalidOperation as exc:
            raise _Refused from exc
        if not value.is_finite():
            raise _Refused
        _sign, digits, exponent = value.as_tuple()
        assert isinstance(exponent, int)
        if exponent >= 0:
            total, decimals = len(digits) + exponent, 0
        elif len(digits) > -exponent:
            total, decimals = len(digits), -exponent
        else:
            total = decimals = -exponent
        if total > max_digits or decimals > places or total - decimals > max_whole:
            raise _Refused
        value = value.quantize(quantum, context=context)
        if (low is not None and value < low) or (high is not None and value > high):
            raise _Refused
        _run(others, value)
        return value

    return check


def _native_decimal(field: f.DecimalField) -> Any | None:
    """The plain forms of a DecimalField — a JSON integer, or a string of digits with at
    most the allowed whole and decimal digits — recognised inside pydantic-core; one
    Python call per value remains, to quantize as DRF does. Other forms (exponents, a
    leading "+", floats) make the twin refuse, and DRF decides. ``None`` when the field
    has validators of its own."""
    places, whole = field.decimal_places, field.max_whole_digits
    if _others(field, _NUMBER_VALIDATORS) or not places or not whole or field.localize:
        return None
    assert field.max_digits is not None
    quantum = Decimal(".1") ** places
    context = decimal.Context(
        prec=field.max_digits, rounding=field.rounding or decimal.ROUND_HALF_EVEN
    )
    low, high = field.min_value, field.max_value
    sign = "" if low is not None and low >= 0 else "-?"
    largest = 10**whole - 1

    def quantized(data: int | str) -> Decimal:
        try:
            value = Decimal(data).quantize(quantum, context=context)
        except decimal.DecimalException as exc:  # not reached within the pattern's digits
            raise _Refused from exc
        if (low is not None and value < low) or (high is not None and value > high):
            raise _Refused
        return value

    # Built as a core schema so that the dump passes the Decimal through as it is.
    schema = cs.no_info_after_validator_function(
        quantized,
        cs.union_schema(
            [
                cs.int_schema(strict=True, ge=0 if not sign else -largest, le=largest),
                cs.str_schema(
                    strict=True,
                    pattern=rf"^ *{sign}[0-9]{{1,{whole}}}(?:\.[0-9]{{1,{places}}})? *$",
                    regex_engine="rust-regex",
                ),
            ]
        ),
        serialization=cs.simple_ser_schema("any"),
    )
    final: cs.CoreSchema = cs.nullable_schema(schema) if field.allow_null else schema
    return Annotated[Any, GetPydanticSchema(lambda _type, _handler: final)]


def _delegate(field: f.Field) -> Callable[[Any], Any]:
    """Dates and times, met once or twice per declaration: DRF's own conversion."""

    def check(data: Any) -> Any:
        if data is None:
            if not field.allow_null:
                raise _Refused
            return None
        try:
            return field.run_validation(data)
        except DRFError as exc:
            raise _Refused from exc

    return check


def _annotation(field: f.Field) -> Any:
    if isinstance(field, serializers.ListSerializer):
        child = field.child
        assert isinstance(child, serializers.Serializer)
        return list[_model(type(child))]  # type: ignore[misc]
    if isinstance(field, serializers.Serializer):
        return _model(type(field))
    if isinstance(field, f.ChoiceField):
        # A Literal of the choice strings is matched inside pydantic-core.
        choices = tuple(str(k) for k in field.choices) + (("",) if field.allow_blank else ())
        return Literal[choices]  # type: ignore[valid-type]
    if isinstance(field, f.CharField):
        native = _native_string(field)
        if native is not None:
            return native
        return Annotated[str, Field(strict=True), AfterValidator(_check_string(field))]
    if isinstance(field, f.DecimalField):
        native_decimal = _native_decimal(field)
        if native_decimal is not None:
            return native_decimal
        return Annotated[Any, PlainValidator(_check_decimal(field))]
    if isinstance(field, f.BooleanField):
        return Annotated[bool, Field(strict=True)]
    if isinstance(field, f.IntegerField):
        low, high = field.min_value, field.max_value
        return Annotated[int, Field(strict=True, ge=low, le=high)]
    if isinstance(field, (f.DateTimeField, f.DateField)):
        return Annotated[Any, PlainValidator(_delegate(field))]
    raise TypeError(f"no fast twin for {type(field).__name__}")


@cache
def _model(serializer_class: type[serializers.Serializer]) -> type[BaseModel]:
    definitions: dict[str, Any] = {}
    for name, field in _serializer(serializer_class).fields.items():
        if field.read_only:
            continue
        annotation = _annotation(field)
        if field.required:
            definitions[name] = (annotation, ...)
        elif field.default is not f.empty:
            default = field.default
            factory = default if callable(default) else (lambda d=default: d)
            definitions[name] = (annotation, Field(default_factory=factory))
        else:  # DRF would leave it out when absent; no input here has such a field
            raise TypeError(f"no fast twin for optional {name} without a default")
    return create_model(  # type: ignore[call-overload, no-any-return]
        f"Fast{serializer_class.__name__}",
        __config__=ConfigDict(extra="ignore", regex_engine="python-re"),
        **definitions,
    )


@cache
def _serializer(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    """One unbound instance per class, for its fields and ``validate_*`` methods (the
    serializers here keep no state in them)."""
    return serializer_class()


Hook = tuple[str, Callable[[Any], Any] | None, "type[serializers.Serializer] | None", bool]


@cache
def _hooks(serializer_class: type[serializers.Serializer]) -> tuple[list[Hook], Any]:
    """Where DRF would call the serializer's own code: ``validate_<field>`` methods and
    nested serializers (recursively), then ``validate`` if overridden."""
    serializer = _serializer(serializer_class)
    hooks: list[Hook] = []
    for name, field in serializer.fields.items():
        method = getattr(serializer, f"validate_{name}", None)
        nested: type[serializers.Serializer] | None = None
        many = isinstance(field, serializers.ListSerializer)
        child = field.child if many else field  # type: ignore[attr-defined]
        if isinstance(child, serializers.Serializer):
            nested = type(child)
        if method is not None or nested is not None:
            hooks.append((name, method, nested, many))
    overridden = type(serializer).validate is not serializers.Serializer.validate
    return hooks, serializer.validate if overridden else None


def _finish(serializer_class: type[serializers.Serializer], data: dict[str, Any]) -> dict[str, Any]:
    hooks, validate = _hooks(serializer_class)
    for name, method, nested, many in hooks:
        if nested is not None:
            if many:
                data[name] = [_finish(nested, row) for row in data[name]]
            else:
                data[name] = _finish(nested, data[name])
        if method is not None:
            data[name] = method(data[name])
    return validate(data) if validate is not None else data


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """The validated data of ``data``: the twin's when it accepts, else the DRF
    serializer's (which raises ``ValidationError`` with the usual error details)."""
    if isinstance(data, dict):
        try:
            model = _model(serializer_class).model_validate(data)
            return _finish(serializer_class, model.model_dump())
        except (PydanticError, DRFError, _Refused):
            pass
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def measure(value, digits=3):
    """A measure for people: localized, rounded, and an em dash where it is undefined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return number_format(value, force_grouping=True)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    if number != number:
        return "—"
    digits = int(digits)
    return number_format(round(number, digits), decimal_pos=digits, force_grouping=True)


@register.filter
def signed(value, digits=3):
    """A change between two figures, with its sign ("+0.25", "−3"); an em dash when unknown."""
    if value is None:
        return "—"
    text = measure(abs(value), digits)
    if round(value, int(digits)) == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


@register.filter
def percent(value, digits=0):
    if value is None:
        return "—"
    return number_format(round(float(value) * 100, int(digits)), decimal_pos=int(digits)) + " %"


@register.filter
def get(mapping, key):
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None

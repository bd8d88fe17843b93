from django import template
from django.utils.safestring import mark_safe

from ..choices import ExcludedGroup, ThematicArea, label_for
from ..geography import country_name, state_name
from ..markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    # Safe: render_markdown's output has passed the allow-list sanitizer.
    return mark_safe(render_markdown(text))


@register.filter
def can(access, action: str) -> bool:
    return bool(access) and access.can(action)


@register.filter
def theme_label(value: str) -> str:
    return label_for(ThematicArea, value)


@register.filter
def group_label(value: str) -> str:
    return label_for(ExcludedGroup, value)


@register.filter
def country(code: str) -> str:
    return country_name(code)


@register.simple_tag
def place(organization) -> str:
    parts = [organization.municipality, state_name(organization.country, organization.state), country_name(organization.country)]
    return ", ".join(part for part in parts if part)


@register.simple_tag
def mx_states():
    from ..geography import MEXICO_STATES

    return MEXICO_STATES

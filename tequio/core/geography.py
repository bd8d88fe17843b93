"""Countries (CLDR names through Babel) and Mexico's 32 states."""

from __future__ import annotations

from functools import cache

from babel import Locale
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# ISO 3166-2:MX codes; names are proper nouns identical in both languages except CDMX.
MEXICO_STATES: list[tuple[str, str]] = [
    ("AGU", "Aguascalientes"),
    ("BCN", "Baja California"),
    ("BCS", "Baja California Sur"),
    ("CAM", "Campeche"),
    ("CHP", "Chiapas"),
    ("CHH", "Chihuahua"),
    ("CMX", "Ciudad de México"),
    ("COA", "Coahuila"),
    ("COL", "Colima"),
    ("DUR", "Durango"),
    ("GUA", "Guanajuato"),
    ("GRO", "Guerrero"),
    ("HID", "Hidalgo"),
    ("JAL", "Jalisco"),
    ("MEX", "Estado de México"),
    ("MIC", "Michoacán"),
    ("MOR", "Morelos"),
    ("NAY", "Nayarit"),
    ("NLE", "Nuevo León"),
    ("OAX", "Oaxaca"),
    ("PUE", "Puebla"),
    ("QUE", "Querétaro"),
    ("ROO", "Quintana Roo"),
    ("SLP", "San Luis Potosí"),
    ("SIN", "Sinaloa"),
    ("SON", "Sonora"),
    ("TAB", "Tabasco"),
    ("TAM", "Tamaulipas"),
    ("TLA", "Tlaxcala"),
    ("VER", "Veracruz"),
    ("YUC", "Yucatán"),
    ("ZAC", "Zacatecas"),
]
MEXICO_STATE_CODES = {code for code, _name in MEXICO_STATES}
MEXICO_STATE_NAMES = dict(MEXICO_STATES)

STATE_HELP = _("For Mexico, one of the 32 states; elsewhere, the state or province name.")


@cache
def _countries(language: str) -> tuple[tuple[str, str], ...]:
    territories = Locale.parse(language).territories
    pairs = [
        (code, name)
        for code, name in territories.items()
        # Two letters are countries; three digits are regions like "Latin America".
        if len(code) == 2 and code.isalpha() and code not in {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB", "XK"}
    ]
    return tuple(sorted(pairs, key=lambda pair: pair[1]))


def country_choices() -> list[tuple[str, str]]:
    """All countries, named in the active language and sorted by that name."""
    language = (get_language() or "es").split("-")[0]
    return list(_countries(language if language in {"es", "en"} else "en"))


def country_name(code: str) -> str:
    return dict(country_choices()).get(code, code)


def is_country(code: str) -> bool:
    return code in dict(_countries("en"))


def state_name(country: str, state: str) -> str:
    if country == "MX":
        return MEXICO_STATE_NAMES.get(state, state)
    return state

"""One number formatter for the report, both languages (Babel's CLDR number symbols).

Norwegian: decimal comma, thin no-break space (U+202F) between thousands, a no-break space
before "%"; English: decimal point, comma thousands, "%" attached. Values are
rounded half-up to the requested decimals (the rule the scorecard uses to call a published number
reproduced), a value that rounds to zero loses its sign, and nothing is ever printed in
scientific notation: a tiny non-zero value reads "< 0,001" at three decimals.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import format_decimal

LOCALES = {"no": "nb_NO", "en": "en_GB"}
THOUSANDS = {"no": "\u202f", "en": ","}  # nb's CLDR group symbol is U+00A0; U+202F is the typeset thin space
PERCENT = {"no": "\u00a0%", "en": "%"}
MISSING = "–"
MINUS = "\u2212"


class Hidden(float):
    """A number the protection layer hid (analysis.core.protection): NaN in arithmetic, its label
    ("1–2", "x", "n<3") when formatted, so a number in the running text says why it is absent."""

    def __new__(cls, label: str):
        obj = super().__new__(cls, float("nan"))
        obj.label = label
        return obj


def is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return str(value) in ("", "<NA>", "nan")


def round_half_up(value, decimals: int) -> Decimal:
    """Decimal of value rounded half-up (away from zero) at decimals; via repr, so 0.125 -> 0.13."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def fmt_number(value, decimals: int, language: str) -> str:
    """15284 -> '15 284' (nb, U+202F) / '15,284' (en); 5.797, 1 -> '5,8' / '5.8'; NaN -> '–'."""
    if isinstance(value, Hidden):
        return value.label
    if is_missing(value):
        return MISSING
    decimals = int(decimals)
    rounded = round_half_up(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0,0" for a value that rounds to zero
    return _typeset(str(rounded), decimals, language)


@lru_cache(maxsize=8192)
def _typeset(rounded: str, decimals: int, language: str) -> str:
    """Babel's formatting of an already rounded number, once per (number, decimals, language):
    a report formats ~2 800 numbers, many of them alike, and Babel parses its pattern and locale
    on every call (~0.1 s of each render, issue 28)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(
        Decimal(rounded), format=pattern, locale=LOCALES[language], decimal_quantization=True
    )
    if language == "no":
        # Norwegian typesetting: the true minus sign (U+2212), not the hyphen-minus
        text = text.replace("\u00a0", THOUSANDS["no"]).replace("-", MINUS)
    return text


def fmt_pct(value, decimals: int, language: str) -> str:
    """81.04 -> '81 %' (nb, no-break space) / '81%' (en)."""
    if isinstance(value, Hidden):
        return value.label
    if is_missing(value):
        return MISSING
    return fmt_number(value, decimals, language) + PERCENT[language]


def fmt_small(value, decimals: int, language: str) -> str:
    """A quantity that is often tiny (a convergence error): '< 0,001' instead of '3.7e-11'.

    Exactly zero prints as '0'; a value below one unit of the last decimal as '< 0,001'."""
    if is_missing(value):
        return MISSING
    v = float(value)
    if v == 0:
        return fmt_number(0, 0, language)
    unit = 10.0**-decimals
    if abs(v) < unit:
        return ("< " if v > 0 else "> " + (MINUS if language == "no" else "-")) + fmt_number(
            unit, decimals, language
        )
    return fmt_number(v, decimals, language)


def fmt_p(p, language: str) -> str:
    """A p-value at three decimals, '< 0,001' below that (never 'p = 0,000')."""
    if is_missing(p):
        return MISSING
    return "< " + fmt_number(0.001, 3, language) if float(p) < 0.001 else fmt_number(p, 3, language)


def fmt_p_phrase(p, language: str) -> str:
    """'p = 0,042' or 'p < 0,001' for running text."""
    text = fmt_p(p, language)
    return "p " + text if text.startswith(("<", ">")) else "p = " + text


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt_power10(value, language: str) -> str:
    """A tolerance such as 1e-12 as '10⁻¹²' (or '1,5 · 10⁻⁸'), never '1e-12'."""
    if is_missing(value):
        return MISSING
    v = float(value)
    if v == 0:
        return "0"
    exponent = math.floor(math.log10(abs(v)))
    mantissa = v / 10**exponent
    power = "10" + str(exponent).translate(SUPERSCRIPT)
    if abs(mantissa - round(mantissa)) < 1e-9 and round(mantissa) == 1:
        return ("-" if v < 0 else "") + power
    return f"{fmt_number(mantissa, 1, language)} · {power}"

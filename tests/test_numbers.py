"""The report's one number formatter (analysis.report.numbers), both languages."""

from analysis.report.numbers import fmt_number, fmt_p, fmt_p_phrase, fmt_pct, fmt_power10, fmt_small

NB = "\u202f"  # thin no-break space between thousands (Norwegian)


def test_norwegian_and_english_numbers():
    assert fmt_number(15284, 0, "no") == f"15{NB}284"
    assert fmt_number(15284, 0, "en") == "15,284"
    assert fmt_number(1234567.891, 2, "no") == f"1{NB}234{NB}567,89"
    assert fmt_number(5.797, 1, "no") == "5,8"
    assert fmt_number(5.797, 1, "en") == "5.8"
    assert fmt_number(float("nan"), 0, "no") == "–" and fmt_number(None, 0, "no") == "–"


def test_rounding_is_half_up_and_never_minus_zero():
    assert fmt_number(12.5, 0, "no") == "13"  # half-even would give 12
    assert fmt_number(0.125, 2, "no") == "0,13"
    assert fmt_number(2.675, 2, "no") == "2,68"  # the decimal that is written, not the binary one
    assert fmt_number(-0.04, 1, "no") == "0,0"
    assert fmt_number(-24.3, 0, "no") == "\u221224"  # the true minus sign in Norwegian
    assert fmt_number(-24.3, 0, "en") == "-24"


def test_fixed_decimals_whatever_the_value():
    assert [fmt_number(v, 1, "no") for v in (4.8, 5.0, 4.9)] == ["4,8", "5,0", "4,9"]
    assert fmt_pct(81.0, 0, "no") == "81\u00a0%" and fmt_pct(81.04, 1, "no") == "81,0\u00a0%"
    assert fmt_pct(81.04, 0, "en") == "81%"


def test_no_scientific_notation_for_tiny_values_and_p_values():
    assert fmt_small(3.7e-11, 3, "no") == "< 0,001"
    assert fmt_small(0.0, 3, "no") == "0"
    assert fmt_small(0.0123, 3, "no") == "0,012"
    assert fmt_p(1e-9, "no") == "< 0,001" and fmt_p(1e-9, "en") == "< 0.001"
    assert fmt_p(0.04213, "no") == "0,042"
    assert fmt_p(0.0, "no") == "< 0,001"  # a p-value printed as 0,000 would claim certainty
    assert fmt_p_phrase(1e-5, "no") == "p < 0,001" and fmt_p_phrase(0.2, "no") == "p = 0,200"
    assert fmt_power10(1e-12, "no") == "10⁻¹²"
    assert fmt_power10(1.5e-8, "no") == "1,5 · 10⁻⁸"

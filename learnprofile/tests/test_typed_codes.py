"""A code a person types is compared in one form (learnprofile.text.typed_code_normalise):
what a phone keyboard may send for the same code is the same code."""

import pytest

from learnprofile.text import typed_code_normalise


@pytest.mark.parametrize(
    ("typed", "compared"),
    [
        pytest.param("T88X-5FAB", "T88X5FAB", id="ascii-dash"),
        pytest.param(
            "\uff54\uff18\uff18\uff58\uff0d\uff15\uff46\uff41\uff42", "t88x5fab", id="full-width"
        ),
        pytest.param("\u0661\u0662\u0663 \u0664\u0665\u0666", "123456", id="arabic-indic-digits"),
        pytest.param("\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6", "123456", id="persian-digits"),
        pytest.param("123\u2013456", "123456", id="en-dash"),
        pytest.param("123\u2212456", "123456", id="minus-sign"),
        pytest.param("\u00a0123\u3000456\t", "123456", id="no-break-and-ideographic-spaces"),
        pytest.param("12\u00ad34\u200b56", "123456", id="soft-hyphen-zero-width-space"),
        pytest.param("\u2460\u2461", "12", id="circled-digits"),
        pytest.param(" - ", "", id="only-separators"),
    ],
)
def test_a_typed_code_is_compared_in_one_form(typed: str, compared: str) -> None:
    assert typed_code_normalise(typed) == compared


def test_other_punctuation_is_kept_so_it_cannot_match_a_code() -> None:
    assert typed_code_normalise("12/34") == "12/34"

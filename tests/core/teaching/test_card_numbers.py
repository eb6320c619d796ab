"""How an answer card and the lesson strip's answer line write numbers (issue 20: lesson 8
step 7 answered "10000" while its own explanation wrote "10,000")."""
import pytest

from bpviz.core.teaching.answer_cards import answer_number, card_number


@pytest.mark.parametrize("value, digits, text", [
    (10000.0, 3, "10,000"), (19200.0, 3, "19,200"), (-12345.0, 3, "−12,300"),
    (123456.0, 3, "123,000"), (1234.0, 3, "1230"), (9999.6, 3, "10,000"),
    (999.6, 3, "1000"), (1.2e9, 3, "1.20·10⁹"), (0.00099996, 3, "0.00100"),
])
def test_a_card_separates_thousands_from_10000_up(value, digits, text):
    assert card_number(value, digits) == text


@pytest.mark.parametrize("value, text", [
    (10000, "10,000"), (19200, "19,200"), (2178, "2178"), (1089, "1089"), (0.75, "0.75"),
    (1, "1"), (1.05, "1.05"), (3e-8, "3e-08"),
])
def test_an_answer_is_written_whole_with_separators_from_10000_up(value, text):
    assert answer_number(value) == text

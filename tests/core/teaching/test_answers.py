"""Answers typed the way people type them: a table of inputs and what they read as, and
right/wrong per question kind."""
import pytest

from bpviz.core.teaching.answers import is_close, readings
from bpviz.core.teaching.lessons import Question


@pytest.mark.parametrize("typed, read", [
    ("0.75", [0.75]), ("0,75", [0.75]), (".5", [0.5]), ("−0.5", [-0.5]), ("+2", [2.0]),
    ("2,178", [2.178, 2178.0]), ("10,000", [10.0, 10000.0]), ("1,234,567", [1234567.0]),
    ("1,234.5", [1234.5]), ("1.234,5", [1234.5]), ("10 000", [10000.0]),
    ("10'000", [10000.0]), ("1/4", [0.25]), ("-1/4", [-0.25]), ("25%", [0.25]),
    ("12,5%", [0.125]), ("3e-8", [3e-8]), ("3E-8", [3e-8]), ("3·10⁻⁸", [3e-8]),
    ("3×10^-8", [3e-8]), ("3 x 10^-8", [3e-8]), ("3*10**-8", [3e-8]), ("10⁻⁸", [1e-8]),
    ("10^-8", [1e-8]), ("  7 ", [7.0]), (4, [4.0]), (0.5, [0.5]),
    ("fast", []), ("", []), ("1/0", []), ("1e999", []), ("nan", []), ("inf", []),
    ("1,2,3", []), ("1..2", []), ("9" * 400, []), (None, []), (True, []),
    (float("nan"), []), ("10-8", []), ("1e-5·10^5", [1.0]), ("0.00001×10^5", [1.0]),
    ("1e300×10^300", []), ("5·10^999", []), ("1e-300·10^-300", [0.0]),
])
def test_readings(typed, read):
    assert readings(typed) == pytest.approx(read, rel=1e-15)


NUMBER = Question("how many?", 2178.0, (), 0.5)
SMALL = Question("how small?", 3e-8, (), 1e-9)
FRACTION = Question("the largest slope?", 0.25, (), 0.005)
CHOICE = Question("which?", 1, ("a", "b", "c"))


@pytest.mark.parametrize("question, typed, right", [
    (NUMBER, "2178", True), (NUMBER, "2,178", True), (NUMBER, "2 178", True),
    (NUMBER, "2.178", False), (NUMBER, "2178.4", True), (NUMBER, "2179", False),
    (SMALL, "3e-8", True), (SMALL, "3·10⁻⁸", True), (SMALL, "0,00000003", True),
    (SMALL, "3", False), (FRACTION, "1/4", True), (FRACTION, "25%", True),
    (FRACTION, "0,25", True), (FRACTION, "1/3", False), (FRACTION, "quarter", False),
    (CHOICE, 1, True), (CHOICE, 0, False), (CHOICE, "1", False),
])
def test_right_or_wrong(question, typed, right):
    assert question.is_right(typed) is right


@pytest.mark.parametrize("typed, read", [
    ("3·10⁻⁸", [3e-8]), ("7×10^-9", [7e-9]),      # exactly the number written, not 3·1e-8
    ("–3", [-3.0]), ("−0,5", [-0.5]),             # an en dash and the minus sign
    ("1.234,5.6", []), ("1,234.5,6", []),          # separators out of order: no number
    ("1/2/4", []),                                 # two fraction bars: no number
    ("1" + "0" * 63, [1e63]), ("1" + "0" * 64, []),   # an answer box's 64 characters
])
def test_readings_exactly(typed, read):
    assert readings(typed) == read


def test_an_exact_answer_with_no_tolerance_is_right():
    assert is_close("2", 2.0, 0.0) and not is_close("2.0001", 2.0, 0.0)

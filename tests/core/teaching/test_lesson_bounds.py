"""Each bounded lesson action takes its lowest and highest value and refuses one past either
end with a message naming the action and the range (a loosened bound fails here)."""
import pytest

from bpviz.core.teaching.lessons import check_action

BOUNDS = [("batch", 1, 4096), ("sample", 0, 4095), ("optimizer_steps", 1, 1000)]


@pytest.mark.parametrize(("name", "low", "high"), BOUNDS)
def test_the_ends_of_the_range_are_taken(name, low, high):
    assert check_action({name: low}, "step 1.do[0]") == {name: low}
    assert check_action({name: high}, "step 1.do[0]") == {name: high}


@pytest.mark.parametrize(("name", "low", "high"), BOUNDS)
@pytest.mark.parametrize("past", [-1, +1])
def test_one_past_either_end_is_refused_naming_the_range(name, low, high, past):
    value = low - 1 if past < 0 else high + 1
    with pytest.raises(ValueError) as refused:
        check_action({name: value}, "step 1.do[0]")
    assert str(refused.value) == (f"step 1.do[0].{name}: expected a whole number from {low} "
                                  f"to {high:,}, got {value}")


@pytest.mark.parametrize("value", [True, 2.0, "3", None])
def test_a_sample_that_is_not_a_whole_number_is_refused(value):
    with pytest.raises(ValueError, match=r"sample: expected a whole number"):
        check_action({"sample": value}, "step 1.do[0]")

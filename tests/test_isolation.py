"""The suite also runs in several worker processes at once (`pytest -n auto`): a test may use
no folder, lock or setting that another test, another worker or the user also uses."""


def test_a_test_outside_the_gui_room_has_a_config_folder_of_its_own(tmp_path):
    """tests/train opens the Training tab, which reads and writes settings: without the
    suite-wide fixture it read the user's ~/.config/bpviz, shared by every worker."""
    from bpviz.gui.config_folder import config_dir
    assert config_dir() == tmp_path / "config"

"""Finding a menu's action as a person does: by the texts along the menu bar."""


def menu_action(window, *path):
    """The action at Menu ▸ … ▸ text (texts with their & marks, as the menus spell them)."""
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == path[0])
    for text in path[1:-1]:
        menu = next(a.menu() for a in menu.actions() if a.text() == text)
    return next(a for a in menu.actions() if a.text() == path[-1])

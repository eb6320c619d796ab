"""The app's shell: the main window, its menus and layout, presentation mode, File and Session
menus, F1 help, the self-test and the error reporter."""

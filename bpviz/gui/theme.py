"""Light and dark themes, and presentation mode (everything scaled up for a projector)."""
from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

PRESENTATION_SCALE = 1.6


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    base: str
    text: str
    muted: str
    grid: str
    node: str
    node_border: str
    edge: str
    selection: str
    error: str
    error_fill: str
    groups: dict = field(default_factory=dict)   # palette group -> header colour

    def color(self, name: str) -> QColor:
        return QColor(getattr(self, name))

    def group_color(self, group: str) -> QColor:
        return QColor(self.groups.get(group, self.node_border))


LIGHT = Theme("light", window="#f3f4f6", base="#ffffff", text="#1f2328", muted="#5c6370",
              grid="#e3e6ea", node="#ffffff", node_border="#9aa3ad", edge="#59636e",
              selection="#1f6feb", error="#d1242f", error_fill="#fff0f0",
              groups={"io": "#6e7781", "layers": "#2f6fb0", "activations": "#2e8b57",
                      "losses": "#c2571a", "math": "#7b4fb0"})
DARK = Theme("dark", window="#1e2227", base="#15181c", text="#e6e6e6", muted="#9aa4ae",
             grid="#262b31", node="#2a2f36", node_border="#4b535c", edge="#a8b3bd",
             selection="#58a6ff", error="#ff6b6b", error_fill="#3a2124",
             groups={"io": "#8b949e", "layers": "#4f95dd", "activations": "#3fb27f",
                     "losses": "#e8803a", "math": "#a37be0"})
THEMES = {"light": LIGHT, "dark": DARK}


def apply_theme(app: QApplication, theme: Theme, presentation: bool = False) -> None:
    """Fusion style with an explicit palette (setColorScheme does nothing offscreen)."""
    app.setStyle("Fusion")
    pal = QPalette()
    roles = {QPalette.Window: theme.window, QPalette.WindowText: theme.text,
             QPalette.Base: theme.base, QPalette.AlternateBase: theme.window,
             QPalette.Text: theme.text, QPalette.Button: theme.window,
             QPalette.ButtonText: theme.text, QPalette.ToolTipBase: theme.base,
             QPalette.ToolTipText: theme.text, QPalette.Highlight: theme.selection,
             QPalette.HighlightedText: "#ffffff", QPalette.PlaceholderText: theme.muted,
             QPalette.BrightText: theme.error, QPalette.Link: theme.selection}
    for role, colour in roles.items():
        pal.setColor(role, QColor(colour))
    pal.setColor(QPalette.Disabled, QPalette.Text, QColor(theme.muted))
    pal.setColor(QPalette.Disabled, QPalette.WindowText, QColor(theme.muted))
    pal.setColor(QPalette.Disabled, QPalette.ButtonText, QColor(theme.muted))
    app.setPalette(pal)
    font = QFont(app.font())
    base = app.property("bpviz_base_point_size") or font.pointSizeF()
    app.setProperty("bpviz_base_point_size", base)
    font.setPointSizeF(base * (PRESENTATION_SCALE if presentation else 1.0))
    app.setFont(font)

"""Light and dark themes, and presentation mode (everything scaled up for a projector).

Every text colour a theme sets meets WCAG AA (contrast 4.5:1) against the background it is
drawn on (TEXT_PAIRS), a projector washes out anything less; pyqtgraph's plots, which draw
their titles, axes and legends in a grey of their own, are given the theme's text colour."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field

import shiboken6
from PySide6.QtGui import QColor, QFont, QFontInfo, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

PRESENTATION_SCALE = 1.6
# The smallest text a student must read, in pixels on screen: at 1440x900 on a desk, and in
# presentation mode at 1280x720 on a projector (read from the back of a lecture hall).
READABLE_PX, PROJECTOR_READABLE_PX = 11, 16


def readable_px(presentation: bool) -> int:
    return PROJECTOR_READABLE_PX if presentation else READABLE_PX


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
    ok: str                      # a passed check's ✔
    selected_text: str           # text on the selection colour
    header_text: str             # a node's name on its group's header band
    groups: dict = field(default_factory=dict)   # palette group -> header colour

    def color(self, name: str) -> QColor:
        return QColor(getattr(self, name))

    def group_color(self, group: str) -> QColor:
        return QColor(self.groups.get(group, self.node_border))


# header bands dark enough for white names (4.5:1) in both themes
GROUPS = {"io": "#6e7781", "layers": "#2f6fb0", "activations": "#287a4c", "losses": "#ad4e16",
          "math": "#7b4fb0"}
LIGHT = Theme("light", window="#f3f4f6", base="#ffffff", text="#1f2328", muted="#5c6370",
              grid="#e3e6ea", node="#ffffff", node_border="#9aa3ad", edge="#59636e",
              selection="#0969da", error="#d1242f", error_fill="#fff0f0", ok="#1a7f37",
              selected_text="#ffffff", header_text="#ffffff", groups=GROUPS)
DARK = Theme("dark", window="#1e2227", base="#15181c", text="#e6e6e6", muted="#9aa4ae",
             grid="#262b31", node="#2a2f36", node_border="#4b535c", edge="#a8b3bd",
             selection="#58a6ff", error="#ff6b6b", error_fill="#3a2124", ok="#3fb950",
             selected_text="#0d1117", header_text="#ffffff", groups=GROUPS)
# white on black with a yellow selection, every text at 7:1 or more (WCAG AAA), lines white
HIGH_CONTRAST = Theme("high-contrast", window="#000000", base="#000000", text="#ffffff",
                      muted="#c8c8c8", grid="#5a5a5a", node="#000000", node_border="#ffffff",
                      edge="#ffffff", selection="#ffd60a", error="#ff8080",
                      error_fill="#1a0000", ok="#5ee38a", selected_text="#000000",
                      header_text="#ffffff",
                      groups={"io": "#4a4f57", "layers": "#1f4f85", "activations": "#1b5a37",
                              "losses": "#7f3a10", "math": "#5a3a85"})
THEMES = {"light": LIGHT, "dark": DARK, "high-contrast": HIGH_CONTRAST}
AA_CONTRAST = 4.5
# (text, background) theme fields: every pair the app draws text in
TEXT_PAIRS = tuple((fg, bg) for fg in ("text", "muted", "error", "ok", "selection")
                   for bg in ("window", "base", "node")) + (
    ("text", "error_fill"), ("error", "error_fill"), ("selected_text", "selection"))


def relative_luminance(colour) -> float:
    """WCAG 2.x: 0.2126 R + 0.7152 G + 0.0722 B of the linearised sRGB channels."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    q = QColor(colour)
    return 0.2126 * linear(q.redF()) + 0.7152 * linear(q.greenF()) + 0.0722 * linear(q.blueF())


def contrast_ratio(foreground, background) -> float:
    """(L_lighter + 0.05) / (L_darker + 0.05): 1 for equal colours, 21 for black on white."""
    a, b = sorted((relative_luminance(foreground), relative_luminance(background)))
    return (b + 0.05) / (a + 0.05)


def error_color() -> str:
    """The theme's error colour (the palette's BrightText), for rich text made now."""
    return QApplication.palette().color(QPalette.ColorRole.BrightText).name()


def ok_color() -> str:
    """The theme's colour for a passed check (Qt's palette has no role for it, so the theme
    applied last is remembered on the application)."""
    return THEMES[gui_app().property("bpviz_theme") or "light"].ok


def gui_app() -> QApplication:
    """The running QApplication (app.py makes it before any window)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication), "bpviz's widgets need a QApplication"
    return app


def show_as_error(label) -> None:
    """Draw ``label`` in the theme's error colour, following later theme switches."""
    label.setForegroundRole(QPalette.ColorRole.BrightText)


STYLE: list = []                       # the app's style, kept alive here


def apply_theme(app: QApplication, theme: Theme, presentation: bool = False) -> None:
    """Fusion style with an explicit palette (setColorScheme does nothing offscreen); the
    wheel over an unfocused control scrolls the page (widgets/wheel_style.py); the focused
    control is ringed (accessibility.py)."""
    from .accessibility import install
    from .widgets import wheel_style
    if not STYLE or app.style() is not STYLE[0]:
        # once per application, and kept: replacing a live style at each theme change (the
        # widgets re-polished while worker threads draw) crashed at times in the GUI suite
        STYLE[:] = [QStyleFactory.create("Fusion")]
        app.setStyle(STYLE[0])
    wheel_style.install(app)
    install(app)                       # the focus ring
    app.setProperty("bpviz_theme", theme.name)
    pal = QPalette()
    roles = {QPalette.ColorRole.Window: theme.window, QPalette.ColorRole.WindowText: theme.text,
             QPalette.ColorRole.Base: theme.base, QPalette.ColorRole.AlternateBase: theme.window,
             QPalette.ColorRole.Text: theme.text, QPalette.ColorRole.Button: theme.window,
             QPalette.ColorRole.ButtonText: theme.text, QPalette.ColorRole.ToolTipBase: theme.base,
             QPalette.ColorRole.ToolTipText: theme.text, QPalette.ColorRole.Highlight: theme.selection,
             QPalette.ColorRole.HighlightedText: theme.selected_text, QPalette.ColorRole.PlaceholderText: theme.muted,
             QPalette.ColorRole.BrightText: theme.error, QPalette.ColorRole.Link: theme.selection}
    for role, colour in roles.items():
        pal.setColor(role, QColor(colour))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(theme.muted))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor(theme.muted))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(theme.muted))
    app.setPalette(pal)
    font = QFont(app.font())
    base = app.property("bpviz_base_point_size") or font.pointSizeF()
    app.setProperty("bpviz_base_point_size", base)
    font.setPointSizeF(base * (PRESENTATION_SCALE if presentation else 1.0))
    app.setFont(font)
    # open windows only: a closed one's plots may be half deleted (their legends then
    # fail in pyqtgraph's anchoring when their size changes)
    style_plots([w for w in QApplication.topLevelWidgets() if w.isVisible()])


def style_plots(roots) -> None:
    """Give every pyqtgraph plot under ``roots`` the palette's colours: background, title,
    axis text and legend labels (pyqtgraph's own grey is 3:1 on white). Nothing to do
    before pyqtgraph is loaded: the app loads it with the first plot."""
    pg = sys.modules.get("pyqtgraph")
    if pg is None:
        return
    text, base = (QApplication.palette().text().color(),
                  QApplication.palette().base().color())
    pg.setConfigOptions(foreground=text)          # plots and labels made from now on
    for root in roots:
        plots = root.findChildren(pg.PlotWidget) + ([root] if isinstance(root, pg.PlotWidget)
                                                    else [])
        for plot in plots:
            if shiboken6.isValid(plot) and shiboken6.isValid(plot.getPlotItem().getViewBox()):
                _style_plot(plot, text, base)     # (not a plot being deleted)


def _style_plot(plot, text: QColor, base: QColor) -> None:
    """Colours, and the sizes of the texts pyqtgraph writes into its labels' HTML (a title
    of 11 pt and legends of 9 pt whatever the app's font: 12 px on a projector)."""
    plot.setBackground(base)
    item = plot.getPlotItem()
    px = QFontInfo(QApplication.font()).pixelSize()
    item.titleLabel.setAttr("size", f"{round(px * 1.15)}px")
    item.titleLabel.setAttr("color", text)
    if item.titleLabel.isVisible():           # a hidden title keeps its zero height
        item.titleLabel.setText(item.titleLabel.text)      # setAttr alone does not redraw
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        axis.setTextPen(text)
        axis.setPen(text)
    if item.legend is not None:
        item.legend.setLabelTextColor(text)
        item.legend.setLabelTextSize(f"{px}px")
        for _, label in item.legend.items:
            label.setAttr("size", f"{px}px")
            label.setText(label.text)
    bar_class = sys.modules["pyqtgraph"].ColorBarItem
    for bar in (i for i in plot.scene().items() if isinstance(i, bar_class)):
        bar.axis.setTextPen(text)                  # a colour bar's numbers are text too
        bar.axis.setPen(text)

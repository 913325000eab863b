"""Small helpers shared by the widgets: CSS classes, the page's stylesheet, safe HTML, and tidy closing.

``ipywidgets.HTML`` assigns its value to innerHTML without sanitizing, so every piece of case or trainee
text that goes into one is escaped by ``views.html`` (the toolkit's one copy of escaping and tables;
``text_html`` and ``list_html`` are re-exported from there for the widgets that import them from here).
Read-only content comes from ``views`` as one block of escaped HTML in one ``HTML`` widget.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as w

from ..views.html import list_html, style_block, text_html

__all__ = [
    "Factory",
    "batched_open",
    "auto_layout",
    "button",
    "choice_label",
    "close_tree",
    "css",
    "list_html",
    "page_root",
    "shared",
    "page_style",
    "text_html",
    "walk",
]


def css(widget: w.DOMWidget, *classes: str) -> w.DOMWidget:
    """Add CSS classes (browser tests select on them) and return the widget, for use inside expressions."""
    for c in classes:
        widget.add_class(c)
    return widget


def page_style() -> w.HTML:
    """The toolkit's stylesheet as one ``<style>`` in an HTML widget: a page's root puts it first, once.

    The same widget works in Voila and in a JupyterLab output area (``itp serve``'s Voila template adds
    no second copy)."""
    return shared()(w.HTML, style_block(), classes=("itp-style",), layout=shared().layout(display="none"))


def page_root(root: w.Box) -> w.Box:
    """Mark ``root`` as a page (``itp-page``: the stylesheet's scope) and put the stylesheet first in it."""
    root.add_class("itp-page")
    if not any("itp-style" in getattr(c, "_dom_classes", ()) for c in root.children):
        root.children = (page_style(), *root.children)
    return root


def _alive(widget: w.Widget) -> bool:
    """Open, or made in a ``batched_open`` block and about to be (not closed)."""
    return widget.comm is not None or id(widget) in _BATCH.pending


_SHARED: list[Factory] = []


def shared() -> Factory:
    """The page's Factory for widgets whose Layout and style are never changed after creation (a shared
    Layout changed on one widget would change them all: give a widget you hide or resize its own)."""
    if not _SHARED:
        _SHARED.append(Factory(description_width="initial"))
    return _SHARED[0]


def auto_layout() -> w.Layout:
    """One shared ``Layout(width="auto")`` (a Layout is a widget too: one per button would double them).
    Never change it: give a button you hide its own ``Layout(width="auto")``."""
    return shared().layout(width="auto")


def button(
    description: str, *, tooltip: str = "", icon: str = "", classes: Iterable[str] = (), **kw
) -> w.Button:
    """A Button sized to its label (ipywidgets gives every Button a fixed width that clips longer labels).

    An icon-only button passes ``description=""`` with an ``icon`` and a ``tooltip``: the tooltip is its
    accessible name (ipywidgets renders it as the button's title; the stylesheet keeps the button square).
    """
    if not description and not tooltip:
        raise ValueError("a button without a label needs a tooltip: it is the button's accessible name")
    kw.setdefault("layout", auto_layout())
    classes = tuple(classes) + (("itp-icon",) if not description else ())
    return w.Button(
        description=description, tooltip=tooltip or description, icon=icon, _dom_classes=classes, **kw
    )


def walk(widget: w.Widget) -> Iterator[w.Widget]:
    """The widget and every widget under it (Box children, Accordion/Tab children)."""
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from walk(child)


def close_tree(widget: w.Widget) -> None:
    """Close a widget and everything under it, so removed parts of a form do not linger in the kernel."""
    for part in list(walk(widget)):
        part.close()


def choice_label(value: str) -> str:
    """'in_person' -> 'in person', for dropdowns over model Literals."""
    return value.replace("_", " ")


class Factory:
    """Builds widgets that share Layout and style objects unless given their own.

    Every Layout and style is a widget too (a comm to open, a model in the browser). Sharing the default
    ones halves the widgets a large plan needs, and so the time it takes to appear. Shared objects are
    never changed after creation.
    """

    def __init__(self, description_width: str = "150px"):
        self.description_width = description_width
        self._layouts: dict[tuple, w.Layout] = {}
        self._styles: dict[type, w.Widget] = {}

    def layout(self, **settings: str) -> w.Layout:
        key = tuple(sorted(settings.items()))
        if key not in self._layouts or not _alive(self._layouts[key]):
            self._layouts[key] = w.Layout(**settings)
        return self._layouts[key]

    def __call__(self, cls: type[w.Widget], *args, classes: Iterable[str] = (), **kwargs):
        """``cls(*args, **kwargs)`` with the shared layout and style, and its CSS ``classes`` set at creation:
        in the widget's opening message, not one more message per class (a large plan's editor sent 776)."""
        if classes:
            kwargs["_dom_classes"] = tuple(classes)
        kwargs.setdefault("layout", self.layout())
        style = cls.class_traits().get("style")
        if style is not None and "style" not in kwargs:
            klass = style.klass
            if klass not in self._styles or not _alive(self._styles[klass]):
                wide = "description_width" in klass.class_traits()
                self._styles[klass] = klass(**({"description_width": self.description_width} if wide else {}))
            kwargs["style"] = self._styles[klass]
        return cls(*args, **kwargs)


# ---------------------------------------------------------------------- fewer messages on opening


def _widgets_in(value: object) -> Iterator[w.Widget]:
    if isinstance(value, w.Widget):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _widgets_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _widgets_in(item)


class _Batch:
    """Widgets made inside ``batched_open``, not yet opened, in the order they were made."""

    def __init__(self) -> None:
        self.pending: dict[int, w.Widget] = {}
        self.depth = 0

    def flush(self, widget: w.Widget) -> None:
        """Open ``widget``, the widgets its state names first (a box's children, its layout and style): the
        browser must know a model before a message names it."""
        if self.pending.pop(id(widget), None) is None:
            return
        parts = [part for name in widget.keys for part in _widgets_in(getattr(widget, name, None))]
        for part in parts:
            self.flush(part)
        if any(part.comm is None for part in parts):
            return  # it names a widget closed meanwhile: a part built and dropped in the same batch
        _ORIGINAL["open"](widget)

    def flush_all(self) -> None:
        while self.pending:
            self.flush(next(iter(self.pending.values())))


_BATCH = _Batch()
_ORIGINAL: dict[str, Callable[..., Any]] = {}


def _open_later(self: w.Widget) -> None:
    if self.comm is None:
        _BATCH.pending[id(self)] = self


def _send_state_when_open(self: w.Widget, key: Any = None) -> None:
    if self.comm is None:
        return  # not opened yet: its state goes in its opening message, whole
    names = self.keys if key is None else ([key] if isinstance(key, str) else list(key))
    for name in names:
        for part in _widgets_in(getattr(self, name, None)):
            _BATCH.flush(part)
    _ORIGINAL["send_state"](self, key)


def _close_unopened(self: w.Widget) -> None:
    _BATCH.pending.pop(id(self), None)
    _ORIGINAL["close"](self)


@contextmanager
def batched_open() -> Iterator[None]:
    """Build widgets inside this block and each is opened once, at the end, with its final state.

    Without it every widget opens as soon as it is made and then sends an update for each value, child
    list, class or option set afterwards: a four-problem plan's page sent ~500 such updates on top of
    ~1,000 openings. Inside, a widget made here sends nothing until the block ends (or until a widget that
    is already open names it: then it is opened first). Use it around building a page or a part of one,
    in the kernel's thread; blocks nest.
    """
    if _BATCH.depth == 0:
        _ORIGINAL.update(open=w.Widget.open, send_state=w.Widget.send_state, close=w.Widget.close)
        w.Widget.open = _open_later
        w.Widget.send_state = _send_state_when_open
        w.Widget.close = _close_unopened
    _BATCH.depth += 1
    try:
        yield
    finally:
        _BATCH.depth -= 1
        if _BATCH.depth == 0:
            try:
                _BATCH.flush_all()
            finally:
                w.Widget.open = _ORIGINAL["open"]
                w.Widget.send_state = _ORIGINAL["send_state"]
                w.Widget.close = _ORIGINAL["close"]

"""Small helpers shared by the trainee widgets: CSS classes, safe HTML, and tidy closing.

``ipywidgets.HTML`` assigns its value to innerHTML without sanitizing, so every piece of case or trainee
text that goes into one passes through ``markupsafe.escape`` here. Prefer Label/Text/Textarea, which show
text as text; use ``text_html`` only where wrapping or a heading needs HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import ipywidgets as w
from markupsafe import Markup, escape


def css(widget: w.DOMWidget, *classes: str) -> w.DOMWidget:
    """Add CSS classes (browser tests select on them) and return the widget, for use inside expressions."""
    for c in classes:
        widget.add_class(c)
    return widget


def text_html(text: str, tag: str = "p", cls: str = "") -> str:
    """Escaped text in one element: ``<p class="...">text</p>``. ``tag`` and ``cls`` are ours, never input."""
    attr = f' class="{cls}"' if cls else ""
    return str(Markup(f"<{tag}{attr}>{{}}</{tag}>").format(escape(text)))


def list_html(items: Iterable[str], cls: str = "") -> str:
    """Escaped items in a bulleted list."""
    attr = f' class="{cls}"' if cls else ""
    return str(
        Markup(f"<ul{attr}>{{}}</ul>").format(Markup("").join(Markup("<li>{}</li>").format(i) for i in items))
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
        if key not in self._layouts:
            self._layouts[key] = w.Layout(**settings)
        return self._layouts[key]

    def __call__(self, cls: type, *args, classes: Iterable[str] = (), **kwargs):
        """``cls(*args, **kwargs)`` with the shared layout and style, and its CSS ``classes`` set at creation:
        in the widget's opening message, not in one more message per class (a large plan's editor sent 776)."""
        if classes:
            kwargs["_dom_classes"] = tuple(classes)
        kwargs.setdefault("layout", self.layout())
        style = cls.class_traits().get("style")
        if style is not None and "style" not in kwargs:
            klass = style.klass
            if klass not in self._styles:
                wide = "description_width" in klass.class_traits()
                self._styles[klass] = klass(**({"description_width": self.description_width} if wide else {}))
            kwargs["style"] = self._styles[klass]
        return cls(*args, **kwargs)

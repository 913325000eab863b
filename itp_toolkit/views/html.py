"""The toolkit's one place for HTML: escaping, small semantic blocks, tables, and the stylesheet.

``ipywidgets.HTML`` assigns its value to innerHTML without sanitizing, and the offline reports are HTML
files, so every piece of case, trainee or supervisor text that becomes HTML passes through ``escape`` here
(markupsafe: ``& < > " '`` become entities). Tag names, classes and attribute names are ours, never input;
attribute values are escaped like text. Views build read-only content (a case, an outline, a critique, a
feedback thread, a table) as one block of escaped semantic HTML with these helpers; a widget shows it in
one ``HTML`` widget instead of many small ones.

The stylesheet (``static/itp.css``) is the toolkit's one visual design; ``style_block`` is what a page's
root widget puts on the page (in Voilà and in JupyterLab alike), once.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:  # pandas is imported by the caller that has a frame
    import pandas as pd

__all__ = [
    "STYLESHEET",
    "Markup",
    "attrs",
    "css_token",
    "element",
    "escape",
    "frame_table",
    "image_html",
    "join",
    "list_html",
    "style_block",
    "stylesheet",
    "table_html",
    "text_html",
]

STYLESHEET = Path(__file__).with_name("static") / "itp.css"
"""The shipped stylesheet: CSS variables (type, spacing, colours), then components (docs/interface.md)."""

_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*$")


def _name(name: str) -> str:
    """A tag or attribute name we wrote ourselves; refuse anything else rather than escape it."""
    if not _NAME.match(name):
        raise ValueError(f"not an HTML name: {name!r}")
    return name


def css_token(value: object) -> str:
    """Any value as a safe class-name fragment: letters, digits and hyphens ('Needs work' -> 'needs-work')."""
    return re.sub(r"-+", "-", "".join(c if c.isalnum() else "-" for c in str(value).lower())).strip("-")


def attrs(**values: object) -> Markup:
    """`` name="value"`` pairs, escaped; ``cls`` becomes ``class``, ``_`` in a name ``-`` (``aria_label``);
    ``None`` and ``False`` drop the attribute, ``True`` writes it bare."""
    out = []
    for key, value in values.items():
        if value is None or value is False:
            continue
        name = "class" if key == "cls" else _name(key.rstrip("_").replace("_", "-"))
        if value is True:
            out.append(Markup(" {}").format(Markup(name)))
        else:
            out.append(Markup(' {}="{}"').format(Markup(name), value))
    return Markup("").join(out)


def element(tag: str, content: object = "", **attributes: object) -> Markup:
    """``<tag attrs>content</tag>``: ``content`` is escaped unless it is already ``Markup``."""
    tag = _name(tag)
    return Markup("<{}{}>{}</{}>").format(Markup(tag), attrs(**attributes), content, Markup(tag))


def join(parts: Iterable[object]) -> Markup:
    """Concatenate, escaping every part that is not already ``Markup``."""
    return Markup("").join(escape(p) for p in parts)


def text_html(text: object, tag: str = "p", cls: str = "") -> str:
    """Escaped text in one element: ``<p class="...">text</p>``. ``tag`` and ``cls`` are ours, never input."""
    return str(element(tag, escape(text), cls=cls or None))


def image_html(png: bytes, alt: str, cls: str = "") -> str:
    """A PNG as a figure whose image says what it shows: ``<figure><img src="data:..." alt="..."></figure>``.

    The picture travels inside the page (a ``data:`` URI: no file, no request) and ``alt`` is its text
    alternative for screen readers and for anyone the image does not reach. Empty ``png``: nothing.
    """
    if not png:
        return ""
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return str(element("figure", Markup('<img src="{}" alt="{}">').format(uri, alt), cls=cls or None))


def list_html(items: Iterable[object], cls: str = "", *, ordered: bool = False) -> str:
    """Escaped items in a bulleted (or numbered) list."""
    return str(element("ol" if ordered else "ul", join(element("li", i) for i in items), cls=cls or None))


def table_html(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    caption: str | None = None,
    cls: str = "itp-table",
    row_header: bool = False,
    row_classes: Iterable[str | None] | None = None,
    caption_visible: bool = True,
) -> str:
    """A table with ``<caption>`` and ``<th scope>``: every header and cell escaped (``None``/NaN as '—').

    ``row_header`` makes each row's first cell its ``<th scope="row">``; ``row_classes`` gives each row a
    class (made CSS-safe). A caption the page already shows as a heading can be kept for screen readers
    only (``caption_visible=False``).

    Built with ``escape`` and plain joins: a 1,000-trainee cohort table has tens of thousands of cells, and
    ``Markup.format`` per cell took seconds.
    """
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in columns)
    classes = iter(row_classes) if row_classes is not None else None
    body = []
    for row in rows:
        cells = []
        for n, value in enumerate(row):
            text = escape(_cell(value))
            cells.append(f'<th scope="row">{text}</th>' if row_header and n == 0 else f"<td>{text}</td>")
        klass = next(classes, None) if classes is not None else None
        open_tr = f'<tr class="{escape(css_token(klass))}">' if klass else "<tr>"
        body.append(open_tr + "".join(cells) + "</tr>")
    cap = ""
    if caption:
        hidden = "" if caption_visible else ' class="itp-sr-only"'
        cap = f"<caption{hidden}>{escape(caption)}</caption>"
    table = f'<table class="{escape(cls)}">{cap}<thead><tr>{head}</tr></thead>'
    return table + "<tbody>" + "".join(body) + "</tbody></table>"


def _cell(value: Any) -> Any:
    if value is None:
        return "—"
    try:
        if value != value:  # NaN, pd.NA raises TypeError below
            return "—"
    except (TypeError, ValueError):
        return "—"
    return value


def frame_table(
    frame: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    caption: str | None = None,
    cls: str = "itp-table",
    row_class: str | None = None,
    row_header: bool = False,
    caption_visible: bool = True,
) -> str:
    """A DataFrame as ``table_html``: ``columns`` picks and orders, ``headers`` renames them for people
    ('n_problems' -> 'Problems'), ``row_class`` names a column whose value becomes each row's class."""
    cols = list(frame.columns if columns is None else columns)
    names = [(headers or {}).get(c, c) for c in cols]
    row_classes = None
    if row_class is not None:
        row_classes = ["itp-row-" + css_token(str(v).split(" ")[0]) for v in frame[row_class].tolist()]
    return table_html(
        names,
        frame[cols].itertuples(index=False, name=None),
        caption=caption,
        cls=cls,
        row_header=row_header,
        row_classes=row_classes,
        caption_visible=caption_visible,
    )


@cache
def stylesheet() -> str:
    """The shipped stylesheet's text."""
    return STYLESHEET.read_text(encoding="utf-8")


def style_block() -> str:
    """The stylesheet as one ``<style>`` element, for a page's root widget to put on the page once."""
    return f'<style data-itp-style="1">{stylesheet()}</style>'

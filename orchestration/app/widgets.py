"""Custom View: the widgets of a profile page, declared in a YAML file an
operator edits without code (orchestration/app/custom_view.yml, or the file
given by ``profile360 app --view FILE`` / ``PROFILE360_APP_VIEW``).

    title: Marketing view
    columns: 2                      # the layout grid: widgets fill it in order
    plugins: [my_company.widgets]   # optional: modules that register widget types
    widgets:
      - id: value                   # unique, names the widget in errors
        type: kpis                  # a registered widget type (see below)
        title: Value                # optional
        width: 2                    # optional, columns spanned (1..columns)
        traits: [lifetime_value, average_order_value]   # columns of dim_profile_traits

Built-in types: ``kpis`` (big numbers), ``table`` (trait / value rows),
``bar_chart`` (one bar per trait), ``timeline`` (latest touchpoints, field
``limit``), ``segments`` (current segments). A wrong declaration raises
``DeclarationError`` whose message names the file, the widget and the field.

Tech-Implemented widgets (the extension point): a Python function registered
under a type name, with the extra fields it accepts::

    from orchestration.app.widgets import Field, register_widget

    @register_widget("purchases_by_month", fields={"months": Field(int, default=12)})
    def purchases_by_month(widget, context):
        rows = context.query("select ... where profile_id = ?", [context.profile_id])
        return "<svg>...</svg>"          # HTML (escaped by you) or markupsafe.Markup

``widget`` is the validated declaration (a dict, defaults filled in);
``context`` has ``profile_id``, ``traits`` (the profile's trait row), ``profile``
(everything the Standard view has) and ``query(sql, params)`` (read-only, the
app's warehouse). List the module under ``plugins:``. The example:
orchestration/app/example_widget.py.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any, Callable

import yaml
from markupsafe import Markup

from orchestration.app import svg

DEFAULT_VIEW = Path(__file__).with_name("custom_view.yml")
TOP_LEVEL = {"title", "columns", "plugins", "widgets"}


class DeclarationError(ValueError):
    """A Custom View file that cannot be shown, with where and why."""


@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...]
    default: Any = None
    required: bool = False
    check: Callable[[Any], str | None] | None = None  # returns a problem, or None


@dataclass(frozen=True)
class WidgetType:
    name: str
    render: Callable[[dict, "Context"], str]
    fields: dict[str, Field]
    uses_traits: bool


@dataclass
class Context:
    profile_id: str
    traits: dict
    profile: dict
    query: Callable[..., list[dict]]


REGISTRY: dict[str, WidgetType] = {}


def _positive(value) -> str | None:
    return None if value > 0 else "must be a positive whole number"


COMMON_FIELDS = {
    "id": Field(str, required=True),
    "type": Field(str, required=True),
    "title": Field(str),
    "width": Field(int, default=1, check=_positive),
}


def register_widget(name: str, *, fields: dict[str, Field] | None = None, uses_traits: bool = False):
    """Register a widget type (the extension point; see the module doc)."""
    def decorate(render):
        if name in REGISTRY and REGISTRY[name].render is not render:
            raise ValueError(f"widget type {name!r} is registered twice")
        REGISTRY[name] = WidgetType(name, render, dict(fields or {}), uses_traits)
        return render
    return decorate


@dataclass
class View:
    title: str
    columns: int
    widgets: list[dict] = field(default_factory=list)
    source: str = ""


def load_view(path: str | Path | None, trait_columns: list[str]) -> View:
    """Read and validate a Custom View file against the traits the warehouse has."""
    path = Path(path) if path else DEFAULT_VIEW
    where = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise DeclarationError(f"{path}: no such Custom View file") from error
    except yaml.YAMLError as error:
        raise DeclarationError(f"{where}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise DeclarationError(f"{where}: expected a mapping with `widgets:`, got {type(data).__name__}")
    unknown = set(data) - TOP_LEVEL
    if unknown:
        raise DeclarationError(f"{where}: unknown top-level field(s) {sorted(unknown)} "
                               f"(known: {sorted(TOP_LEVEL)})")
    columns = data.get("columns", 2)
    if not isinstance(columns, int) or isinstance(columns, bool) or not 1 <= columns <= 4:
        raise DeclarationError(f"{where}: field 'columns': must be a whole number from 1 to 4, got {columns!r}")
    plugins = data.get("plugins") or []
    if not isinstance(plugins, list):
        raise DeclarationError(f"{where}: field 'plugins': must be a list of Python modules")
    for module in plugins:
        try:
            importlib.import_module(str(module))
        except ImportError as error:
            raise DeclarationError(f"{where}: field 'plugins': cannot import {module!r}: {error}") from error
    declared = data.get("widgets")
    if not isinstance(declared, list) or not declared:
        raise DeclarationError(f"{where}: field 'widgets': must be a non-empty list of widgets")
    widgets, seen = [], set()
    for position, entry in enumerate(declared, start=1):
        widgets.append(_validate(where, position, entry, columns, set(trait_columns), seen))
    return View(str(data.get("title") or "Custom view"), columns, widgets, str(path))


def _validate(where: str, position: int, entry, columns: int, traits: set[str], seen: set[str]) -> dict:
    if not isinstance(entry, dict):
        raise DeclarationError(f"{where}: widget #{position}: must be a mapping (id, type, ...), got {entry!r}")
    name = entry.get("id")
    label = f"widget {name!r}" if isinstance(name, str) and name else f"widget #{position}"

    def fail(field_name: str, problem: str):
        raise DeclarationError(f"{where}: {label}, field '{field_name}': {problem}")

    kind = entry.get("type")
    if kind is None:
        fail("type", f"missing (known types: {', '.join(sorted(REGISTRY))})")
    if kind not in REGISTRY:
        fail("type", f"unknown widget type {kind!r} (known types: {', '.join(sorted(REGISTRY))})")
    widget_type = REGISTRY[kind]
    spec = {**COMMON_FIELDS, **widget_type.fields}
    if widget_type.uses_traits:
        spec["traits"] = Field(list, required=True)
    unknown = set(entry) - set(spec)
    if unknown:
        fail(sorted(unknown)[0], f"not a field of a {kind} widget (fields: {', '.join(sorted(spec))})")
    widget = {}
    for field_name, rule in spec.items():
        if field_name not in entry or entry[field_name] is None:
            if rule.required:
                fail(field_name, "missing")
            widget[field_name] = rule.default
            continue
        value = entry[field_name]
        if not isinstance(value, rule.kind) or (isinstance(value, bool) and rule.kind is int):
            expected = rule.kind.__name__ if isinstance(rule.kind, type) else "/".join(k.__name__ for k in rule.kind)
            fail(field_name, f"must be {expected}, got {value!r}")
        problem = rule.check(value) if rule.check else None
        if problem:
            fail(field_name, f"{problem}, got {value!r}")
        widget[field_name] = value
    if widget["id"] in seen:
        fail("id", "used by another widget: ids must be unique")
    seen.add(widget["id"])
    if widget["width"] > columns:
        fail("width", f"spans {widget['width']} columns but the layout has {columns}")
    if widget_type.uses_traits:
        if not widget["traits"]:
            fail("traits", "must list at least one trait")
        for trait in widget["traits"]:
            if trait not in traits:
                close = sorted(t for t in traits if str(trait)[:4] in t)[:5]
                fail("traits", f"unknown trait {trait!r}" + (f" (did you mean {', '.join(close)}?)" if close else
                                                             " (see the columns of dim_profile_traits)"))
    widget["title"] = widget["title"] or widget["id"].replace("_", " ").capitalize()
    return widget


def render(widget: dict, context: Context) -> Markup:
    output = REGISTRY[widget["type"]].render(widget, context)
    return output if isinstance(output, Markup) else Markup(output)


# -- built-in widget types (registered through the same extension point) -----------

def format_value(value) -> str:
    """A value as pages show it: thousands separated, money without trailing zeros, – for NULL."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (float, Decimal)):
        return f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return str(value)


@register_widget("kpis", uses_traits=True)
def _kpis(widget, context):
    cells = "".join(f'<div class="kpi"><div class="kpi-value" data-trait="{escape(t)}">'
                    f'{escape(format_value(context.traits.get(t)))}</div><div class="kpi-label">{escape(t)}</div></div>'
                    for t in widget["traits"])
    return Markup(f'<div class="kpis">{cells}</div>')


@register_widget("table", uses_traits=True)
def _table(widget, context):
    rows = "".join(f'<tr><th>{escape(t)}</th><td data-trait="{escape(t)}">{escape(format_value(context.traits.get(t)))}'
                   f"</td></tr>" for t in widget["traits"])
    return Markup(f'<table class="kv">{rows}</table>')


@register_widget("bar_chart", uses_traits=True)
def _bar_chart(widget, context):
    items = []
    for trait in widget["traits"]:
        try:
            items.append((trait, None if context.traits.get(trait) is None else float(context.traits[trait])))
        except (TypeError, ValueError):
            items.append((trait, None))  # a text trait has no bar
    return svg.bar_chart(items, title=widget["title"])


@register_widget("timeline", fields={"limit": Field(int, default=10, check=_positive)})
def _timeline(widget, context):
    rows = context.profile["touchpoints"][: widget["limit"]]
    if not rows:
        return Markup('<p class="empty">No touchpoints.</p>')
    body = "".join(f"<tr><td>{escape(str(r['occurred_at']))}</td><td>{escape(str(r['channel']))}</td>"
                   f"<td>{escape(str(r['touchpoint_type']))}</td></tr>" for r in rows)
    return Markup(f'<table class="grid"><tr><th>when</th><th>channel</th><th>what</th></tr>{body}</table>')


@register_widget("segments")
def _segments(widget, context):
    current = [s for s in context.profile["segments"] if s["exited_at"] is None]
    if not current:
        return Markup('<p class="empty">In no segment.</p>')
    return Markup("".join(f'<span class="tag">{escape(s["segment_name"])}</span>' for s in current))

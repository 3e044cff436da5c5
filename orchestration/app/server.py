"""The Profile 360 app's pages and its HTTP server (standard library).

Routes (each view has its own URL, so it can be bookmarked and shared):

    /                         search form
    /?q=<term>                search; a single match redirects to its profile
    /profile/<profile_id>     the Standard view
    /profile/<id>/custom      the Custom View (widgets from the YAML file)
    /explorer?segment=a&segment=b[&segment=c]   the segment explorer
    /static/app.css           the one stylesheet (served by the app itself)
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape

from orchestration.app import svg
from orchestration.app.data import PERSONAL, NotPublished, Warehouse
from orchestration.app.widgets import Context, DeclarationError, format_value, load_view, render

HERE = Path(__file__).parent
STAGES = ("visitor", "lead", "customer", "loyal", "advocate")
TIERS = ("low", "mid", "high")
# Trait families of the Standard view, by column name; a column matching none
# (e.g. one added later) is shown under "other".
TRAIT_FAMILIES = (
    ("RFM", re.compile(r"^(rfm_|recency_days$|lifetime_purchases$|purchases_90d$|first_purchase_at$|"
                       r"last_purchase_at$)")),
    ("Value (LTV)", re.compile(r"(revenue|lifetime_value|average_order_value|refund|cancelled|"
                               r"online_|offline_|favourite_|expected_)")),
    ("Engagement windows", re.compile(r"(_7d|_30d|_90d)$|^(last_active_at|days_since_last_active|first_app_event_at|"
                                      r"days_since_first_app_event|last_engaged_at|days_since_last_engaged|"
                                      r"has_email_unsubscribed|is_zalo_follower)$")),
    ("Service", re.compile(r"^(tickets_|open_tickets|avg_csat|last_contact_at|days_since_last_contact)")),
    ("Behaviour score", re.compile(r"^(behaviour_score|recency_points|intensity_points|days_since_last_activity)$")),
)
HIDDEN_TRAITS = {"profile_id"}


def trait_groups(traits: dict) -> list[tuple[str, list[tuple[str, object]]]]:
    groups: dict[str, list] = {name: [] for name, _ in TRAIT_FAMILIES}
    groups["Other"] = []
    for column, value in traits.items():
        if column in HIDDEN_TRAITS:
            continue
        family = next((name for name, pattern in TRAIT_FAMILIES if pattern.search(column)), "Other")
        groups[family].append((column, value))
    return [(name, items) for name, items in groups.items() if items]


@dataclass
class App:
    warehouse: Warehouse
    view_file: Path | None = None

    def __post_init__(self):
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())
        self.env.filters["fmt"] = format_value
        self.env.filters["plain"] = lambda value: "–" if value is None else str(value)
        self.env.filters["q"] = lambda value: quote(str(value), safe="")

    def page(self, template: str, **values) -> str:
        mode = self.warehouse.mode
        return self.env.get_template(template).render(
            mode=mode, personal=mode == PERSONAL, warehouse=str(self.warehouse.path), **values)

    # Each handler returns (status, content type, body, extra headers).
    def handle(self, path: str, query: dict[str, list[str]]):
        try:
            if path == "/":
                return self.search(query.get("q", [""])[0])
            if path == "/static/app.css":
                return HTTPStatus.OK, "text/css; charset=utf-8", (HERE / "static" / "app.css").read_text(), {}
            if path == "/explorer":
                return self.explorer(query.get("segment", []))
            match = re.fullmatch(r"/profile/([^/]+)(/custom)?", path)
            if match:
                profile_id = unquote(match.group(1))
                return self.custom(profile_id) if match.group(2) else self.standard(profile_id)
            return self.error(HTTPStatus.NOT_FOUND, f"No page at {path}.")
        except NotPublished as error:
            return self.error(HTTPStatus.SERVICE_UNAVAILABLE, str(error))
        except duckdb.Error as error:  # e.g. a warehouse published by an older build
            return self.error(HTTPStatus.INTERNAL_SERVER_ERROR, f"The warehouse query failed: {error}")

    def error(self, status: HTTPStatus, message: str):
        return status, "text/html; charset=utf-8", self.page("error.html", title=status.phrase, message=message), {}

    def search(self, term: str):
        result = self.warehouse.search(term) if term.strip() else None
        if result and len(result.matches) == 1:
            location = f"/profile/{quote(result.matches[0].profile_id, safe='')}"
            return HTTPStatus.FOUND, "text/html; charset=utf-8", "", {"Location": location}
        summaries = self.warehouse.match_summaries([m.profile_id for m in result.matches]) if result else {}
        return HTTPStatus.OK, "text/html; charset=utf-8", self.page(
            "search.html", title="Search", term=term, result=result, summaries=summaries), {}

    def standard(self, profile_id: str):
        profile = self.warehouse.profile(profile_id)
        if profile is None:
            return self.error(HTTPStatus.NOT_FOUND, f"No profile {profile_id!r} in this warehouse.")
        return HTTPStatus.OK, "text/html; charset=utf-8", self.page(
            "profile.html", title=f"Profile {profile_id}", p=profile, groups=trait_groups(profile["traits"]),
            graph=svg.identity_graph(profile["links"]),
            rejected=[link for link in profile["links"] if link["link_status"] == "rejected"]), {}

    def custom(self, profile_id: str):
        profile = self.warehouse.profile(profile_id)
        if profile is None:
            return self.error(HTTPStatus.NOT_FOUND, f"No profile {profile_id!r} in this warehouse.")
        try:
            view = load_view(self.view_file, self.warehouse.trait_columns())
        except DeclarationError as error:
            return HTTPStatus.UNPROCESSABLE_ENTITY, "text/html; charset=utf-8", self.page(
                "custom.html", title=f"Custom view of {profile_id}", p=profile, view=None,
                declaration_error=str(error), view_file=str(self.view_file or "custom_view.yml")), {}
        context = Context(profile_id, profile["traits"], profile, self.warehouse.query)
        rendered = []
        for widget in view.widgets:
            try:
                rendered.append((widget, render(widget, context), None))
            except Exception as error:  # a Python widget's bug: shown in its box, the page still renders
                rendered.append((widget, None, f"widget {widget['id']!r} ({widget['type']}) failed: {error}"))
        return HTTPStatus.OK, "text/html; charset=utf-8", self.page(
            "custom.html", title=f"{view.title}: {profile_id}", p=profile, view=view, widgets=rendered,
            declaration_error=None, view_file=view.source), {}

    def explorer(self, selected: list[str]):
        segments = self.warehouse.segments()
        known = {s["segment_key"] for s in segments}
        selected = [key for key in dict.fromkeys(selected) if key]
        problems = [f"unknown segment {key!r}" for key in selected if key not in known]
        if len(selected) > 3:
            problems.append("pick at most three segments to compare")
        if problems:
            selected = [key for key in selected if key in known][:3]
        data = self.warehouse.explorer(selected)
        profiles = {(r["lifecycle_stage"], r["lifecycle_tier"]): r["profiles"] for r in data["heat"]}
        revenue = {(r["lifecycle_stage"], r["lifecycle_tier"]): r["revenue"] for r in data["heat"]}
        names = {s["segment_key"]: s["segment_name"] for s in segments}
        series: dict[str, list] = {names[key]: [] for key in selected}  # colours in the order picked
        for row in data["history"]:
            series.setdefault(names.get(row["segment_key"], row["segment_key"]), []).append(
                (row["day"].isoformat(), row["members"]))
        # Regions named in the order the segments were picked: (a, b) is "a ∩ b".
        overlap_rows = sorted(((tuple(sorted(region, key=selected.index)), count)
                               for region, count in data["overlap"].items()),
                              key=lambda item: (-len(item[0]), [selected.index(k) for k in item[0]]))
        known_columns = {"segment_key", "segment_name", "segment_kind", "as_of_date"}
        columns = [c for c in data["comparison_columns"] if c not in known_columns]
        return HTTPStatus.OK, "text/html; charset=utf-8", self.page(
            "explorer.html", title="Segment explorer", segments=segments, selected=selected, problems=problems,
            heat_profiles=svg.heatmap(list(STAGES), list(TIERS), profiles, title="Profiles"),
            heat_revenue=svg.heatmap(list(STAGES), list(TIERS), revenue, title="Revenue (lifetime value, VND)"),
            comparison=data["comparison"], columns=columns, names=names,
            size_chart=svg.bar_chart([(r["segment_name"], r["audience_size"]) for r in data["comparison"]
                                      if r.get("segment_kind") == "declared"], width=520, title="Audience size"),
            venn=svg.venn([names[k] for k in selected], {tuple(names[k] for k in region): count
                                                         for region, count in overlap_rows})
            if 2 <= len(selected) <= 3 else None,
            overlap_rows=[([names[k] for k in region], count) for region, count in overlap_rows],
            history=svg.line_chart(series, title="Members per day") if series else None,
            history_days=len({row["day"] for row in data["history"]})), {}


class Handler(BaseHTTPRequestHandler):
    app: App  # set on the subclass made by make_server
    server_version = "Profile360App"

    def do_GET(self):  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        status, content_type, body, headers = self.app.handle(parts.path, parse_qs(parts.query))
        payload = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Profile360-Mode", self.app.warehouse.mode)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):  # noqa: A002 (signature of http.server)
        pass  # quiet: the app prints its URL once, not a line per request


def make_server(warehouse: Warehouse, host: str = "127.0.0.1", port: int = 8360,
                view_file: str | Path | None = None) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"app": App(warehouse, Path(view_file) if view_file else None)})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve(warehouse: Warehouse, host: str = "127.0.0.1", port: int = 8360,
          view_file: str | Path | None = None) -> None:
    """Serve until interrupted; prints the local URL first."""
    server = make_server(warehouse, host, port, view_file)
    url = f"http://{host}:{server.server_address[1]}/"
    label = ("PERSONAL DATA shown (build warehouse)" if warehouse.mode == PERSONAL
             else "masked data (serving warehouse)")
    print(f"Profile 360 app on {url} — {label}: {warehouse.path}; Ctrl-C stops it", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


class Running:
    """A server on a thread (tests and benchmarks): ``with Running(warehouse) as url: ...``."""

    def __init__(self, warehouse: Warehouse, view_file: str | Path | None = None):
        self.server = make_server(warehouse, "127.0.0.1", 0, view_file)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


"""Great Expectations data docs that work offline.

GE's HTML pages load Bootstrap, jQuery, Font Awesome, bootstrap-table and Vega
from public CDNs, and the index page draws its list of validation results
with bootstrap-table from data held in a script. Offline (no internet on the
machines Profile360 runs on) the pages lose their styling and the index lists
no result at all.

``make_offline(site)`` rewrites every page of a built site in place:

* every ``<script src>``, ``<link href>`` and ``<img src>`` pointing at an
  http(s) host is removed, links to the web keep their text only, and any
  other http(s) attribute value becomes ``#``; a small stylesheet served from
  the site's own ``static/`` folder takes the CDN styling's place;
* the index page opens with a plain HTML table of every validation result
  (status, suite, run time, link to its page), read from the data GE put in
  the page's scripts, so the results are listed with no script running.

It runs after each validation (GE rebuilds the pages it changes; rewriting a
page twice changes nothing).
"""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

STYLESHEET = "static/profile360_offline.css"
CSS = """body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.p360-success { color: #17663a; font-weight: 600; }
.p360-failed { color: #a11; font-weight: 600; }
.cooltip .top { display: none; }
"""
RESULTS_ID = "profile360-results"

_EXTERNAL = r"""["']https?://[^"']*["']"""
_PATTERNS = [
    (re.compile(rf"<script\b[^>]*\bsrc\s*=\s*{_EXTERNAL}[^>]*>\s*</script>", re.I | re.S), ""),
    (re.compile(rf"<link\b[^>]*\bhref\s*=\s*{_EXTERNAL}[^>]*>", re.I | re.S), ""),
    (re.compile(rf"<img\b[^>]*\bsrc\s*=\s*{_EXTERNAL}[^>]*>", re.I | re.S), ""),
    (re.compile(rf"<a\b[^>]*\bhref\s*=\s*{_EXTERNAL}[^>]*>(.*?)</a>", re.I | re.S), r"\1"),
    (re.compile(r"""(\b(?:src|href|action|data-src)\s*=\s*["'])https?://[^"']*""", re.I), r"\1#"),
    (re.compile(r"""url\(\s*["']?https?://[^)"']*["']?\s*\)""", re.I), "none"),
]
_DATA = re.compile(r"^\s*data:\s*(\[.*\]),?\s*$", re.M)
_OLD_RESULTS = re.compile(rf'<section id="{RESULTS_ID}">.*?</section>', re.S)


def strip_external(page: str, stylesheet: str) -> str:
    """The page without any reference to an http(s) host, with the local stylesheet."""
    for pattern, replacement in _PATTERNS:
        page = pattern.sub(replacement, page)
    link = f'<link rel="stylesheet" href="{stylesheet}">'
    if link not in page:
        page = re.sub(r"</head>", link + "</head>", page, count=1, flags=re.I)
    return page


def index_results(page: str) -> list[dict[str, str]]:
    """The validation results GE listed in the index page's scripts."""
    rows: list[dict[str, str]] = []
    for match in _DATA.finditer(page):
        try:
            data = ast.literal_eval(match.group(1))
        except (ValueError, SyntaxError):
            continue
        for item in data:
            if isinstance(item, dict) and str(item.get("_table_row_link_path", "")).startswith("validations/"):
                rows.append({
                    "status": str(item.get("_validation_success_text", "")),
                    "suite": str(item.get("_expectation_suite_name_sort") or item.get("asset_name", "")),
                    "run_time": str(item.get("run_time", "")),
                    "link": str(item["_table_row_link_path"]),
                })
    unique = {row["link"]: row for row in rows}  # GE draws the same results in several tables
    return sorted(unique.values(), key=lambda row: (row["run_time"], row["suite"]), reverse=True)


def results_table(rows: list[dict[str, str]]) -> str:
    body = "".join(
        f'<tr><td class="{"p360-success" if row["status"] == "Success" else "p360-failed"}">'
        f'{html.escape(row["status"])}</td><td><a href="{html.escape(row["link"])}">'
        f'{html.escape(row["suite"])}</a></td><td>{html.escape(row["run_time"])}</td></tr>'
        for row in rows)
    return (f'<section id="{RESULTS_ID}"><h2>Validation results ({len(rows)})</h2>'
            "<table><thead><tr><th>status</th><th>suite</th><th>run time</th></tr></thead>"
            f"<tbody>{body}</tbody></table></section>")


def make_offline(site: Path) -> int:
    """Rewrite every page of a built data docs site; return the results listed in its index."""
    site = Path(site)
    (site / STYLESHEET).parent.mkdir(parents=True, exist_ok=True)
    (site / STYLESHEET).write_text(CSS)
    listed = 0
    for page_path in site.rglob("*.html"):
        depth = len(page_path.relative_to(site).parts) - 1
        page = page_path.read_text(encoding="utf-8")
        page = strip_external(page, "../" * depth + STYLESHEET)
        if page_path == site / "index.html":
            rows = index_results(page)
            listed = len(rows)
            page = _OLD_RESULTS.sub("", page)
            page = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + results_table(rows), page, count=1,
                          flags=re.I)
        page_path.write_text(page, encoding="utf-8")
    return listed

"""The Profile 360 app (orchestration/app/), over HTTP, on the session's demo
warehouse published to a serving warehouse of this module's own.

Expected values come from the build warehouse's own tables (identity,
profiles, traits, segments), never from the app's queries: a search term is a
raw spelling the identity layer saw, the profile is the one identity mapped it
to, a trait value is read from traits.dim_profile_traits.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from html import escape
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest

from orchestration.app.data import MASKED, PERSONAL, Warehouse
from orchestration.app.server import Running
from orchestration.cli import stop_process_group
from orchestration.lib.project import OFFLINE_ENV, PROJECT_DIR
from orchestration.lib.serving import publish


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, *, follow: bool = True) -> tuple[int, dict, str]:
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8")


@pytest.fixture(scope="module")
def serving(built_warehouse, tmp_path_factory) -> Path:
    assert built_warehouse.build.returncode == 0, built_warehouse.build.stdout[-3000:]
    return publish(built_warehouse.db_path, tmp_path_factory.mktemp("serving") / "serving.duckdb")


@pytest.fixture(scope="module")
def facts(built_warehouse) -> dict:
    """Facts read from the build warehouse (not through the app)."""
    with duckdb.connect(str(built_warehouse.db_path), read_only=True) as con:
        def one(sql, params=None):
            row = con.execute(sql, params or []).fetchone()
            assert row is not None, sql
            return row
        # A phone spelled otherwise than its normal form, on a profile that also has a rejected link.
        phone_raw, phone, profile = one("""
            select o.raw_value, o.identifier_value, m.profile_id
            from identity.int_identifier_occurrences as o
            inner join identity.map_identifiers_to_profiles as m
                on o.identifier_type = m.identifier_type and o.identifier_value = m.identifier_value
            where o.identifier_type = 'phone' and m.profile_id is not null
              and o.raw_value <> o.identifier_value and not regexp_matches(o.raw_value, '^[+]?84')
              and m.profile_id in (select profile_id from identity.fct_identity_links where link_status = 'rejected')
              and m.profile_id in (select profile_id from identity.map_identifiers_to_profiles
                                   where identifier_type = 'email' and profile_id is not null)
            order by m.profile_id, o.raw_value limit 1""")
        email = one("select min(identifier_value) from identity.map_identifiers_to_profiles "
                    "where profile_id = ? and identifier_type = 'email'", [profile])[0]
        customer_id, customer_profile = one(
            "select identifier_value, profile_id from identity.map_identifiers_to_profiles "
            "where identifier_type = 'customer_id' and profile_id is not null order by 1 limit 1")
        reason = one("select min(link_reason) from identity.fct_identity_links "
                     "where profile_id = ? and link_status = 'rejected'", [profile])[0]
        count_identifiers = one("select count(distinct identifier_id) from identity.fct_identity_links "
                                "where profile_id = ?", [profile])[0]
        behaviour_score = one("select behaviour_score from traits.dim_profile_traits where profile_id = ?",
                              [profile])[0]
        stage, tier = one("select lifecycle_stage, lifecycle_tier from segments.int_lifecycle_stages "
                          "where profile_id = ?", [profile])
        segment_name = one("""select s.segment_name from segments.int_segment_members as m
                              inner join segments.dim_segments as s on m.segment_key = s.segment_key
                              where m.profile_id = ? order by s.segment_order limit 1""", [profile])[0]
        # A name with diacritics, and the same profile's name without them.
        named, full_name, full_name_ascii = one(
            "select profile_id, full_name, full_name_ascii from profiles.dim_profiles "
            "where full_name <> full_name_ascii order by profile_id limit 1")
        cell = one("select count(*) from segments.int_lifecycle_stages "
                   "where lifecycle_stage = 'customer' and lifecycle_tier = 'low'")[0]
        members = {key: {row[0] for row in con.execute(
            "select profile_id from segments.int_segment_members where segment_key = ?", [key]).fetchall()}
            for key in ("store_only_shoppers", "lifecycle_customer", "new_app_users")}
    return dict(phone_raw=phone_raw, phone=phone, profile=profile, email=email, customer_id=customer_id,
                customer_profile=customer_profile, reason=reason, count_identifiers=count_identifiers,
                behaviour_score=behaviour_score, stage=stage, tier=tier, segment_name=segment_name,
                named=named, full_name=full_name, full_name_ascii=full_name_ascii, cell=cell, members=members)


@pytest.fixture(scope="module")
def app(serving, built_warehouse):
    with Running(Warehouse(serving, MASKED, key_db_path=built_warehouse.db_path)) as url:
        yield url


def test_search_by_phone_in_another_spelling_opens_its_profile(app, facts):
    status, headers, _ = fetch(f"{app}/?q={quote(' ' + facts['phone_raw'] + ' ')}", follow=False)
    assert status == 302 and headers["Location"] == f"/profile/{facts['profile']}"
    status, headers, page = fetch(f"{app}/?q={quote(facts['phone_raw'])}")
    assert status == 200 and f'<span id="profile-id">{facts["profile"]}</span>' in page
    assert headers["X-Profile360-Mode"] == "masked" and "Masked data" in page


def test_search_by_email_upper_case_and_customer_id(app, facts):
    status, headers, _ = fetch(f"{app}/?q={quote(facts['email'].upper())}", follow=False)
    assert status == 302 and headers["Location"] == f"/profile/{facts['profile']}"
    status, headers, _ = fetch(f"{app}/?q={quote(facts['customer_id'])}", follow=False)
    assert status == 302 and headers["Location"] == f"/profile/{facts['customer_profile']}"
    status, headers, _ = fetch(f"{app}/?q={facts['profile']}", follow=False)
    assert status == 302 and headers["Location"] == f"/profile/{facts['profile']}"


def test_search_without_match_and_name_search_needs_personal_mode(app, facts):
    status, _, page = fetch(f"{app}/?q=nobody%40nowhere.example")
    assert status == 200 and "0 profile(s) match" in page
    status, _, page = fetch(f"{app}/?q={quote(facts['full_name_ascii'])}")
    assert status == 200 and "0 profile(s) match" in page and "--personal-data" in page


def test_profile_page_shows_the_standard_view_masked(app, facts):
    status, _, page = fetch(f"{app}/profile/{facts['profile']}")
    assert status == 200
    assert f'<span id="profile-id">{facts["profile"]}</span>' in page
    assert f'<div class="kpi-value" id="lifecycle-stage">{facts["stage"]}</div>' in page
    assert f'<div class="kpi-value" id="lifecycle-tier">{facts["tier"]}</div>' in page
    assert f'<td data-trait="behaviour_score">{facts["behaviour_score"]:,}</td>' in page
    assert f"<h2>Identifiers ({facts['count_identifiers']})</h2>" in page
    assert escape(facts["segment_name"]) in page
    assert '<svg class="graph"' in page and 'class="link-used"' in page and 'class="link-rejected"' in page
    if not facts["reason"].startswith("conflict:"):
        assert escape(facts["reason"]) in page  # the rejected link's reason, as `profile360 explain` gives it
    for heading in ("Golden record", "Consent and contactability", "Traits", "Segments", "Journey",
                    "Merge and split history"):
        assert f"<h2>{heading}" in page
    # Masked: neither the phone nor the e-mail appears, in any form the identity layer stores.
    assert facts["phone"] not in page and facts["phone"][3:] not in page and facts["email"] not in page


def test_unknown_profile_is_a_404(app):
    status, _, page = fetch(f"{app}/profile/no-such-profile")
    assert status == 404 and "No profile" in page


def test_custom_view_renders_declared_widgets_and_the_python_example(app, facts):
    status, _, page = fetch(f"{app}/profile/{facts['profile']}/custom")
    assert status == 200
    for widget in ("value_at_a_glance", "rfm", "engagement_30d", "current_segments", "spend_by_month",
                   "latest_touchpoints"):
        assert f'id="widget-{widget}"' in page
    assert f'<div class="kpi-value" data-trait="behaviour_score">{facts["behaviour_score"]:,}</div>' in page


@pytest.mark.parametrize(("declaration", "message"), [
    ("widgets:\n  - id: money\n    type: kpis\n    traits: [lifetime_valu]\n",
     "widget 'money', field 'traits': unknown trait 'lifetime_valu'"),
    ("widgets:\n  - id: pie\n    type: pie_chart\n    traits: [lifetime_value]\n",
     "widget 'pie', field 'type': unknown widget type 'pie_chart'"),
    ("columns: 2\nwidgets:\n  - id: wide\n    type: segments\n    width: 3\n",
     "widget 'wide', field 'width': spans 3 columns but the layout has 2"),
    ("widgets:\n  - id: recent\n    type: timeline\n    limit: many\n",
     "widget 'recent', field 'limit': must be int, got 'many'"),
    ("widgets:\n  - type: table\n    traits: [lifetime_value]\n", "widget #1, field 'id': missing"),
])
def test_a_wrong_custom_view_names_the_widget_and_the_field(serving, built_warehouse, facts, tmp_path,
                                                           declaration, message):
    view = tmp_path / "view.yml"
    view.write_text(declaration)
    with Running(Warehouse(serving, MASKED, key_db_path=built_warehouse.db_path), view_file=view) as url:
        status, _, page = fetch(f"{url}/profile/{facts['profile']}/custom")
    assert status == 422
    assert 'id="declaration-error"' in page and f"view.yml: {message}".replace("'", "&#39;") in page


def test_explorer_heatmap_comparison_overlap_and_history(app, facts):
    keys = ["store_only_shoppers", "lifecycle_customer", "new_app_users"]
    status, _, page = fetch(f"{app}/explorer?" + "&".join(f"segment={key}" for key in keys))
    assert status == 200
    assert f"<title>customer × low: {facts['cell']:,}</title>" in page
    assert "Store-only shoppers" in page and "average_order_value" in page and "consented_marketing_sms" in page
    a, b, c = (facts["members"][key] for key in keys)
    in_all = len(a & b & c)
    assert re.search(r"Store-only shoppers ∩ Lifecycle stage: customer ∩ New app users</td><td>"
                     + str(in_all) + "</td>", page.replace("&amp;", "&")), "three-way overlap"
    only_a = len(a - b - c)
    assert f"<td>Store-only shoppers only</td><td>{only_a}</td>" in page
    assert '<svg class="chart venn"' in page and "Members per day" in page
    status, _, page = fetch(f"{app}/explorer?segment=no_such_segment")
    assert status == 200 and "unknown segment &#39;no_such_segment&#39;" in page


def test_personal_mode_finds_names_with_and_without_diacritics(built_warehouse, facts):
    with Running(Warehouse(built_warehouse.db_path, PERSONAL)) as url:
        for term in (facts["full_name"], facts["full_name_ascii"], facts["full_name_ascii"].upper()):
            status, _, page = fetch(f"{url}/?q={quote(term)}")
            assert status == 200 and "PERSONAL DATA" in page
            assert f'href="/profile/{facts["named"]}"' in page or f'id="profile-id">{facts["named"]}<' in page
        status, headers, page = fetch(f"{url}/?q={quote(facts['phone_raw'])}")
        assert headers["X-Profile360-Mode"] == "personal" and facts["phone"] in page and facts["email"] in page


def test_cli_prints_its_url_and_serves_the_serving_warehouse(serving, built_warehouse, facts):
    env = {**os.environ, **OFFLINE_ENV, "PROFILE360_DB_PATH": str(built_warehouse.db_path),
           "PROFILE360_SERVING_DB_PATH": str(serving)}
    process = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "app", "--port", "0"], cwd=PROJECT_DIR,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        assert match, line + process.stderr.read() if process.poll() is not None else line
        assert "masked" in line and str(serving) in line
        status, _, page = fetch(f"{match.group(1)}profile/{facts['profile']}")
        assert status == 200 and facts["profile"] in page
    finally:
        # SIGTERM to its process group, then SIGKILL to what is left (a worker that ignores
        # SIGTERM passes that on to its children: the server once never exited).
        stop_process_group(process, 15)


# -- headless Chromium: what the pages show in a browser ---------------------------------

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1300,1800"]


def chromium(url: str, folder: Path, name: str) -> str:
    """The DOM Chromium renders for url; a screenshot of it is saved as folder/name.png."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.fail("Chromium is not installed: apt-get install -y chromium (.ci/run does it)")
    outputs = []
    for mode in ("--dump-dom", f"--screenshot={folder / (name + '.png')}"):
        process = subprocess.Popen([binary, *CHROMIUM_FLAGS, f"--user-data-dir={folder / ('profile-' + name)}",
                                    mode, url], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                   start_new_session=True)
        try:
            outputs.append(process.communicate()[0])
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        assert process.returncode == 0, f"chromium {mode} {url} exited {process.returncode}"
    png = folder / f"{name}.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    return outputs[0]


def test_chromium_renders_search_profile_and_explorer(app, facts, tmp_path):
    dom = chromium(f"{app}/?q={quote(facts['phone_raw'])}", tmp_path, "search")
    assert f'<span id="profile-id">{facts["profile"]}</span>' in dom  # the search opened the profile
    dom = chromium(f"{app}/profile/{facts['profile']}", tmp_path, "profile")
    assert f'<td data-trait="behaviour_score">{facts["behaviour_score"]:,}</td>' in dom
    assert 'data-mode="masked"' in dom
    dom = chromium(f"{app}/explorer?segment=store_only_shoppers&segment=new_app_users", tmp_path, "explorer")
    assert "Store-only shoppers" in dom and '<svg class="chart venn"' in dom

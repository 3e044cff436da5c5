"""The Profile 360 app: find a person, see the whole profile and its identity
graph, compare segments.

    profile360 app                      masked, on the serving warehouse
    profile360 app --personal-data      personal data, on the build warehouse

A small server from the standard library (``http.server``) renders every page
on the server with Jinja2 templates (the templating language of dbt) and draws
charts and the identity graph as inline SVG: no JavaScript, nothing from a
CDN, every view at its own URL. It reads the serving warehouse only
(``PROFILE360_SERVING_DB_PATH``, published by a successful build), read-only,
where everything is masked; personal data is shown only when it is started on
the build warehouse with ``--personal-data``, and every page says which mode
it is in.

Modules: ``data`` (queries, search), ``svg`` (charts, graph), ``widgets``
(Custom View declarations and the widget extension point), ``server``
(routes and pages). See docs/app.md.
"""

"""A Tech-Implemented widget: the example of the Custom View extension point
(orchestration/app/widgets.py). Revenue per month of the profile's
purchases, from its touchpoints, as a bar chart.

Declare it in a Custom View file::

    plugins: [orchestration.app.example_widget]
    widgets:
      - id: spend_by_month
        type: revenue_by_month
        months: 6
"""

from __future__ import annotations

from orchestration.app import svg
from orchestration.app.widgets import Field, register_widget


def _months(value) -> str | None:
    return None if 1 <= value <= 36 else "must be from 1 to 36"


@register_widget("revenue_by_month", fields={"months": Field(int, default=12, check=_months)})
def revenue_by_month(widget, context):
    rows = context.query(
        """select strftime(date_trunc('month', occurred_at), '%Y-%m') as month, sum(revenue) as revenue
           from marts_masked.fct_customer_touchpoints
           where profile_id = ? and is_conversion
           group by 1 order by 1 desc limit ?""",
        [context.profile_id, widget["months"]])
    if not rows:
        return '<p class="empty">No purchases.</p>'
    return svg.bar_chart([(row["month"], row["revenue"]) for row in reversed(rows)], title=widget["title"])

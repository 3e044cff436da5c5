"""One row per fit of the purchase models (BG/NBD and Gamma-Gamma): the log.

The buy-till-you-die models behind trait_predicted_value, fitted by maximum
likelihood on every buyer of int_purchase_model_inputs (one row per buyer:
repeat purchases x, days from the first to the last purchase t_x, days from
the first purchase to the as-of day T, and the average spend m of its n
purchases):

  BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"):
    while alive a customer buys at a Poisson rate lambda ~ Gamma(r, alpha);
    after each purchase they drop out with probability p ~ Beta(a, b).
  Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999):
    the spend of each purchase is Gamma(p, nu), nu ~ Gamma(q, gamma). Fitted
    on the average m of all n purchases of each buyer with m > 0 (the paper
    averages the repeat purchases only, x of them; with all purchases the
    one-time buyers inform the fit too). Net of refunds, so a buyer who
    returned everything (m = 0) is left out of this fit.

Time is in days (the scoring in trait_predicted_value uses the same unit).

Incremental and never fully refreshed (`full_refresh=False`): every fit is a
row kept with when it ran, the as-of day and the sample it saw. A build adds a
fit when the data grew: no earlier successful fit for an as-of day at or
before this one, or the buyers or purchases grew by at least
var profile360__prediction_refit_growth since the latest such fit. Otherwise
it adds nothing and the scoring keeps using the latest fit.

The likelihoods are written here with scipy (no fitting library installs and
works with pandas 3); tests/python/test_predictions.py fits them on the CDNOW
sample and checks the published parameters within 1%.
"""

from __future__ import annotations

import datetime as dt
import math
import time

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import gammaln

# Columns of the log, in order; fits that could not run keep NULL parameters.
FIT_COLUMNS = [
    "fit_id", "fitted_at", "as_of_date", "sample_size", "sample_purchases",
    "repeat_buyers", "fit_status", "bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b",
    "bgnbd_log_likelihood", "gamma_gamma_p", "gamma_gamma_q", "gamma_gamma_gamma",
    "gamma_gamma_log_likelihood", "fit_seconds", "time_unit",
]


def bgnbd_log_likelihood(params, x, t_x, big_t, weights=None):
    """Sum of the BG/NBD log-likelihood of (x, t_x, T) over customers (FHL 2005, eq. 6)."""
    r, alpha, a, b = params
    x = np.asarray(x, dtype=float)
    t_x = np.asarray(t_x, dtype=float)
    big_t = np.asarray(big_t, dtype=float)
    weights = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    common = (
        gammaln(r + x) - gammaln(r) + r * math.log(alpha)
        + gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    )
    alive = -(r + x) * np.log(alpha + big_t)
    # The drop-out term exists only after a repeat purchase (x > 0).
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(
            x > 0,
            math.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return float(np.sum(weights * (common + np.logaddexp(alive, dropped))))


def gamma_gamma_log_likelihood(params, x, m, weights=None):
    """Sum of the Gamma-Gamma log-likelihood of the average spend m over x purchases."""
    p, q, gamma = params
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    weights = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    px = p * x
    value = (
        gammaln(px + q) - gammaln(px) - gammaln(q) + q * math.log(gamma)
        + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(x * m + gamma)
    )
    return float(np.sum(weights * value))


def _maximise(log_likelihood, start):
    """Maximum likelihood over positive parameters (optimised on their logs), L-BFGS-B
    with numerical gradients: a few hundred evaluations of the likelihood (a simplex
    takes tens of thousands, minutes at 100k buyers)."""

    def objective(log_params):
        # A step far out of range gives inf or NaN: a wall, not a warning.
        with np.errstate(over="ignore", invalid="ignore"):
            value = log_likelihood(np.exp(log_params))
        return -value if math.isfinite(value) else 1e300

    result = minimize(
        objective, np.log(start), method="L-BFGS-B",
        options={"ftol": 1e-13, "gtol": 1e-7, "maxiter": 2000},
    )
    return np.exp(result.x), -result.fun, bool(result.success)


def fit_bgnbd(x, t_x, big_t, weights=None):
    """(r, alpha, a, b), log-likelihood, converged."""
    scale = max(float(np.mean(big_t)), 1e-9)
    return _maximise(
        lambda params: bgnbd_log_likelihood(params, x, t_x, big_t, weights),
        [1.0, scale, 1.0, 1.0],
    )


def fit_gamma_gamma(x, m, weights=None):
    """(p, q, gamma), log-likelihood, converged."""
    return _maximise(
        lambda params: gamma_gamma_log_likelihood(params, x, m, weights),
        [1.0, 1.0, float(np.mean(m))],
    )


def fit_purchase_models(inputs: pd.DataFrame, min_buyers: int, min_repeat_buyers: int) -> dict:
    """Both fits on one row per buyer: x, t_x, big_t (BG/NBD) and n purchases of average
    spend m (Gamma-Gamma, on the rows with m > 0)."""
    started = time.perf_counter()
    spend = inputs[inputs["m"] > 0]
    repeat = inputs[inputs["x"] > 0]
    row = {
        "sample_size": int(len(inputs)),
        "sample_purchases": int((inputs["x"] + 1).sum()),
        "repeat_buyers": int(len(repeat)),
    }
    if len(inputs) < min_buyers or len(repeat) < min_repeat_buyers:
        return {**row, "fit_status": "insufficient_data", "fit_seconds": time.perf_counter() - started}
    # Buyers with the same (x, t_x, T) share one likelihood term: fit on the groups.
    groups = inputs.groupby(["x", "t_x", "big_t"], as_index=False).size()
    (r, alpha, a, b), bg_ll, bg_ok = fit_bgnbd(
        groups["x"], groups["t_x"], groups["big_t"], groups["size"]
    )
    (p, q, gamma), gg_ll, gg_ok = fit_gamma_gamma(spend["n"], spend["m"])
    return {
        **row,
        "fit_status": "converged" if bg_ok and gg_ok else "not_converged",
        "bgnbd_r": r, "bgnbd_alpha": alpha, "bgnbd_a": a, "bgnbd_b": b,
        "bgnbd_log_likelihood": bg_ll,
        "gamma_gamma_p": p, "gamma_gamma_q": q, "gamma_gamma_gamma": gamma,
        "gamma_gamma_log_likelihood": gg_ll,
        "fit_seconds": time.perf_counter() - started,
    }


def needs_refit(previous: pd.DataFrame, as_of_date, sample_size: int, sample_purchases: int,
                growth: float) -> bool:
    """True without a successful fit at or before as_of_date, or when the buyers or their
    purchases grew by `growth` (a share) since the latest such fit."""
    usable = previous[
        (previous["fit_status"] == "converged") & (previous["as_of_date"] <= as_of_date)
    ]
    if usable.empty:
        return True
    latest = usable.sort_values(["as_of_date", "fitted_at"]).iloc[-1]
    return (
        sample_size >= latest["sample_size"] * (1 + growth)
        or sample_purchases >= latest["sample_purchases"] * (1 + growth)
    )


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="append",
        full_refresh=False,
        packages=["numpy", "pandas", "scipy"],
    )
    growth = float(dbt.config.get("refit_growth"))
    inputs = dbt.ref("int_purchase_model_inputs").df().rename(columns={
        "repeat_purchases": "x",
        "days_first_to_last_purchase": "t_x",
        "days_since_first_purchase": "big_t",
        "lifetime_purchases": "n",
        "average_spend": "m",
    })
    # The rows in one order whatever order the warehouse returns them in: the
    # likelihood sums, and so the optimum, are then the same to the last bit
    # for the same buyers (a backfilled day equals a build of that day).
    inputs = inputs.sort_values(["x", "t_x", "big_t", "n", "m"], kind="mergesort").reset_index(drop=True)
    as_of = dbt.ref("int_as_of_date").df()
    as_of_date = pd.Timestamp(as_of["as_of_date"].iloc[0]).date()
    if dbt.is_incremental:
        previous = session.sql(
            f"select fit_status, as_of_date, fitted_at, sample_size, sample_purchases from {dbt.this}"
        ).df()
        previous["as_of_date"] = pd.to_datetime(previous["as_of_date"]).dt.date
        purchases = int((inputs["x"] + 1).sum())
        if not needs_refit(previous, as_of_date, len(inputs), purchases, growth):
            # Nothing to append: the stored log's own columns, no row.
            return session.sql(f"select * from {dbt.this} where false")
    fitted_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    row = fit_purchase_models(
        inputs, int(dbt.config.get("min_buyers")), int(dbt.config.get("min_repeat_buyers"))
    )
    row.update({
        "fit_id": f"{as_of_date.isoformat()}/{fitted_at.isoformat(timespec='seconds')}",
        "fitted_at": fitted_at.isoformat(sep=" "),
        "as_of_date": as_of_date.isoformat(),
        "time_unit": "day",
    })
    frame = pd.DataFrame([{column: row.get(column) for column in FIT_COLUMNS}]).astype(
        {column: "float64" for column in FIT_COLUMNS if column.startswith(("bgnbd", "gamma", "fit_sec"))}
    )
    session.register("int_purchase_model_fit_row", frame)
    # Typed in SQL so that every fit appends the same column types.
    return session.sql(
        """
        select
            cast(fit_id as string) as fit_id,
            cast(fitted_at as timestamp) as fitted_at,
            cast(as_of_date as date) as as_of_date,
            cast(sample_size as bigint) as sample_size,
            cast(sample_purchases as bigint) as sample_purchases,
            cast(repeat_buyers as bigint) as repeat_buyers,
            cast(fit_status as string) as fit_status,
            """
        + ",\n            ".join(
            f"cast({column} as double) as {column}"
            for column in FIT_COLUMNS
            if column.startswith(("bgnbd", "gamma", "fit_sec"))
        )
        + """,
            cast(time_unit as string) as time_unit
        from int_purchase_model_fit_row
        """
    )

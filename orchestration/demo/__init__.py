"""Profile360 demo data: a seeded, deterministic Vietnamese omnichannel
retailer's landing zone (docs/data-contract.md) with its ground truth.

    from orchestration.demo import generate
    report = generate("demo_data/landing", persons=2000, days=180)
    print(report.summary())

or ``python -m orchestration.demo --out DIR --persons N --days D``.

Modules, in the order data flows:

* ``contract``    the 16 sources (format, columns, record keys) and closed value lists
* ``vocab``       Vietnamese names, places, products (hand lists, no Faker)
* ``identifiers`` collision-free ids, phone / e-mail spellings, junk values, missing markers
* ``catalog``     products, stores, campaigns, daily marketing spend
* ``population``  persons (segments, identifiers, active windows) and shared identifiers
* ``shard_base``, ``online``, ``offline``, ``engagement``, ``simulation``
                  one shard of persons simulated day by day
* ``emitter``     encodes rows; injects late rows, duplicates, broken rows; records truth
* ``generator``   generate(): runs the shards (in worker processes when useful),
                  writes the daily files and ``_truth/``
"""

from orchestration.demo.generator import GenerationReport, generate

__all__ = ["GenerationReport", "generate"]

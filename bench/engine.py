"""Matching on the search engine beside the in-process engine, in one run.

    OPENSEARCH_URL=http://127.0.0.1:9200 python -m bench.engine
    python -m bench.engine --opportunities 200000 --reference 20000 --profiles 100

Generates opportunities as bench/matching.py does (fixed seed) and indexes
them into the engine under a throw-away prefix (deleted at the end): all of
them (default 1,000,000), and the first `--reference` (default 100,000), the
size the in-process engine holds beside it. Then measures: the bulk index
(Sudachi analysis and indexing, separately); ranking one profile, top 10
opportunities, on the engine path at both sizes and in-process at the
reference size (median and p95, and their ratio); the memory a web worker
needs for each path (RSS growth, each measured in a fresh process); and the
retrieval stage's candidate recall (the share of the in-process top 10 found
among the engine's candidates), with the share of profiles whose top 10 is
the same and NDCG@10 against the in-process ranking. With `--full-reference`
the in-process engine is also built at the full size, for recall there (it
takes minutes and gigabytes). Prints one markdown table.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid

from bench.matching import generate, rss_mb

PROFILES = 200


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    import django

    django.setup()
    from django.utils import translation

    from search import analysis

    translation.activate("ja")
    analysis.terms("辞書を読み込む")  # the dictionary is the process's, not an engine's


def _say(message):
    print(f"… {message}", file=sys.stderr, flush=True)


def _p95(values):
    values = sorted(values)
    return values[max(0, int(len(values) * 0.95) - 1)]


def _timed_ms(function, items):
    timings = []
    for item in items:
        started = time.perf_counter()
        function(item)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _index(client, names, records):
    from matching.engine.indexing import Corpus, rebuild

    skills, groups, opportunities = records
    started = time.perf_counter()
    corpus = Corpus(opportunities, groups, skills)
    analysed = time.perf_counter() - started
    started = time.perf_counter()
    rebuild(client, names, corpus, suffix="bench", chunk_size=2000)
    return analysed, time.perf_counter() - started, corpus.vocabulary


def _quality(ranker, engine, profiles):
    """(candidate recall, same top 10, NDCG@10 against the in-process ranking)."""
    from matching.engine.evaluation import mean, ndcg_at_k

    recall, same, ndcg = [], [], []
    hits = ranker.retrieve_many(profiles)
    for profile, found in zip(profiles, hits, strict=True):
        reference = [result.key for result in engine.rank(profile)]
        candidates = {hit["_source"]["key"] for hit in found}
        ranked = [result.key for result in ranker.rank(profile)]
        recall.append(sum(key in candidates for key in reference) / max(len(reference), 1))
        same.append(ranked == reference)
        grades = {key: 3 - min(position // 3, 2) for position, key in enumerate(reference)}
        ndcg.append(ndcg_at_k(ranked, grades))
    return mean(recall), mean(same), mean(ndcg)


def worker_rss(path, url, prefix, opportunities):
    """In a fresh process: what a web worker holds to rank on one path (MB)."""
    _setup()
    from opensearchpy import OpenSearch

    from matching.engine import MatchingEngine
    from matching.engine.indexing import IndexNames, load_vocabulary
    from matching.engine.retrieval import SearchEngineRanker

    before = rss_mb()
    skills, groups, records, profiles = generate(opportunities if path == "in-process" else 0, 50)
    if path == "in-process":
        ranker = MatchingEngine.build(records, groups, skills)
    else:
        client, names = OpenSearch(url, timeout=60), IndexNames.with_prefix(prefix)
        ranker = SearchEngineRanker(
            client, names, vocabulary=load_vocabulary(client, names), skills=skills
        )
    del records
    for profile in profiles:
        ranker.rank(profile)
    print(json.dumps({"rss_mb": rss_mb() - before}))


def _worker_rss(path, url, prefix, opportunities):
    output = subprocess.run(
        [sys.executable, "-m", "bench.engine", "--worker-rss", path, "--url", url]
        + ["--prefix", prefix, "--opportunities", str(opportunities)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])["rss_mb"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--reference", type=int, default=100_000)
    parser.add_argument("--profiles", type=int, default=PROFILES)
    parser.add_argument("--full-reference", action="store_true")
    parser.add_argument("--url", default=os.environ.get("OPENSEARCH_URL"))
    parser.add_argument("--worker-rss", choices=["in-process", "engine"], help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.url:
        parser.error("needs the engine: set OPENSEARCH_URL (make opensearch) or --url")
    if args.worker_rss:
        return worker_rss(args.worker_rss, args.url, args.prefix, args.opportunities)

    _setup()
    from opensearchpy import OpenSearch

    from matching.engine import MatchingEngine
    from matching.engine.indexing import IndexNames, load_vocabulary
    from matching.engine.retrieval import CANDIDATES, FIRST_PASS_TERMS, WINDOW, SearchEngineRanker

    client = OpenSearch(args.url, timeout=300)
    run = f"bench-engine-{uuid.uuid4().hex[:8]}-"
    sizes = {"full": args.opportunities, "reference": min(args.reference, args.opportunities)}
    names = {size: IndexNames.with_prefix(f"{run}{size}-") for size in sizes}
    _say(f"generating {args.opportunities:,} opportunities")
    skills, groups, opportunities, profiles = generate(args.opportunities, args.profiles)
    subsets = {size: opportunities[:count] for size, count in sizes.items()}
    rows = []
    try:
        built = {}
        for size, count in sizes.items():
            _say(f"indexing {count:,} opportunities")
            built[size] = _index(client, names[size], (skills, groups, subsets[size]))
        analysed, indexed, _vocabulary = built["full"]
        rows += [
            (f"bulk index {sizes['full']:,}: Sudachi analysis", f"{analysed:.0f} s"),
            (f"bulk index {sizes['full']:,}: indexing", f"{indexed:.0f} s"),
            (
                f"bulk index {sizes['full']:,}: documents per second",
                f"{sizes['full'] / (analysed + indexed):,.0f}",
            ),
        ]
        rankers = {
            size: SearchEngineRanker(
                client, names[size], vocabulary=load_vocabulary(client, names[size]), skills=skills
            )
            for size in sizes
        }
        _say(f"in-process engine over {sizes['reference']:,}")
        started = time.perf_counter()
        reference = MatchingEngine.build(subsets["reference"], groups, skills)
        rows.append(
            (f"in-process build {sizes['reference']:,}", f"{time.perf_counter() - started:.1f} s")
        )

        _say("ranking single profiles")
        for ranker in rankers.values():
            ranker.rank(profiles[-1])  # warm-up: caches, compiled scripts
        reference.rank(profiles[-1])
        timings = {
            "engine, full": _timed_ms(rankers["full"].rank, profiles),
            "engine, reference": _timed_ms(rankers["reference"].rank, profiles),
            "in-process, reference": _timed_ms(reference.rank, profiles),
        }
        labels = {
            "engine, full": f"engine path, {sizes['full']:,}",
            "engine, reference": f"engine path, {sizes['reference']:,}",
            "in-process, reference": f"in-process, {sizes['reference']:,}",
        }
        for name, values in timings.items():
            rows.append(
                (
                    f"rank 1 profile, top 10 ({labels[name]}): median / p95",
                    f"{statistics.median(values):.1f} / {_p95(values):.1f} ms",
                )
            )
        baseline = statistics.median(timings["in-process, reference"])
        for name in ("engine, reference", "engine, full"):
            rows.append(
                (
                    f"{labels[name]} / in-process {sizes['reference']:,} (median)",
                    f"{statistics.median(timings[name]) / baseline:.1f}×",
                )
            )

        _say("retrieval quality")
        quality = {"reference": _quality(rankers["reference"], reference, profiles)}
        del reference
        if args.full_reference:
            _say(f"in-process engine over {sizes['full']:,} (for recall there)")
            full = MatchingEngine.build(opportunities, groups, skills)
            quality["full"] = _quality(rankers["full"], full, profiles)
            del full
        for size, (recall, same, ndcg) in quality.items():
            rows += [
                (
                    f"candidate recall at {sizes[size]:,} (in-process top 10 among the "
                    f"{CANDIDATES} candidates)",
                    f"{recall:.2%}",
                ),
                (f"same top 10 as in-process at {sizes[size]:,}", f"{same:.1%}"),
                (f"NDCG@10 against the in-process ranking at {sizes[size]:,}", f"{ndcg:.4f}"),
            ]

        _say("memory of a web worker on each path (fresh processes)")
        engine_rss = _worker_rss("engine", args.url, f"{run}full-", sizes["full"])
        local_rss = _worker_rss("in-process", args.url, "", sizes["reference"])
        rows += [
            (
                f"web worker RSS growth, engine path ({sizes['full']:,} indexed)",
                f"{engine_rss:.0f} MB",
            ),
            (f"web worker RSS growth, in-process ({sizes['reference']:,})", f"{local_rss:.0f} MB"),
            ("in-process / engine path memory", f"{local_rss / max(engine_rss, 1):.0f}×"),
        ]
    finally:
        for size in sizes:
            for alias in names[size]:
                for index in client.indices.get(index=f"{alias}_*", ignore_unavailable=True):
                    client.indices.delete(index=index)

    info = client.info()["version"]
    print(
        f"\nMatching on the engine: {sizes['full']:,} opportunities, {len(groups):,} groups, "
        f"{len(skills)} skills, {len(profiles)} profiles · first pass {WINDOW}, "
        f"{FIRST_PASS_TERMS} terms, {CANDIDATES} candidates · {datetime.date.today()} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()} · "
        f"{info.get('distribution', 'elasticsearch')} {info['number']}\n"
    )
    print("| measure | value |")
    print("| --- | ---: |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()

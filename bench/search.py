"""Search benchmark: our Japanese-aware backend beside Wagtail's stock database
backend, on the same generated data, on SQLite and on PostgreSQL; with
OPENSEARCH_URL set (make opensearch), our OpenSearch backend on the same pages
too (in the PostgreSQL run).

    python -m bench.search            # both databases, prints one table
    python -m bench.search --pages 2000 --databases sqlite

Each database gets a fresh copy of the demo content plus N generated activity
pages of realistic Japanese text (fixed random seed). The index is built
twice: with the raw text (what Wagtail's stock backend indexes) and with the
analysed text; 50 queries run against each (each query 1 warm-up + 5 timed
runs, counting and fetching the first page of 10 as the search page does).
Recall is measured on the query table (tests/search/query_table.toml): the
share of the pages each query must find that it does find.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import tomllib
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_PATH = Path("/tmp/musashino-bench.sqlite3")
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "musashino_bench"
TABLE = tomllib.loads((ROOT / "tests/search/query_table.toml").read_text())["query"]
# The rest of the 50: what residents type, matching generated and demo pages.
EXTRA_QUERIES = [
    "子育て 講座",
    "防災 ワークショップ",
    "高齢者",
    "お年寄り 見守り",
    "食品ロス",
    "読み聞かせ",
    "プログラミング",
    "国際交流 カフェ",
    "環境 学習会",
    "吉祥寺",
    "境南町",
    "桜堤 防災",
    "ボランティア",
    "市民活動 相談",
    "まちづくり 報告会",
    "オンライン 講座",
    "ICT 相談会",
    "ｺﾐｭﾆﾃｨ",
    "ＳＮＳ",
    "協働 事業",
    "武蔵野市民会館",
    "第5回",
    "交流会",
    "子ども",
    "学び",
    "NPO 設立",
]
QUERIES = [row["q"] for row in TABLE] + EXTRA_QUERIES
REPEATS = 5

AREAS = [
    "吉祥寺東町",
    "吉祥寺南町",
    "御殿山",
    "吉祥寺本町",
    "吉祥寺北町",
    "中町",
    "西久保",
    "緑町",
    "八幡町",
    "関前",
    "境",
    "境南町",
    "桜堤",
]
THEMES = [
    "子育て",
    "防災",
    "高齢者の見守り",
    "環境",
    "まちづくり",
    "ICT活用",
    "国際交流",
    "食品ロス",
    "読み聞かせ",
    "プログラミング",
    "福祉",
    "地域の居場所",
    "スポーツ",
]
KINDS = [
    ("講座", "lecture"),
    ("カフェ", "cafe"),
    ("学習会", "study_session"),
    ("報告会", "report"),
    ("ワークショップ", "workshop"),
    ("交流会", "exhibition"),
]


def sentences():
    """Sentences of the city's own documents (the demo data transcribed from the seeds)."""
    data_dir = ROOT / "cms/demo/data"
    texts = []
    for name in ("h24", "plan", "sample_activities", "facilities"):
        data = tomllib.loads((data_dir / f"{name}.toml").read_text())
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, str) and len(item) > 20 and "<" not in item:
                texts.extend(part + "。" for part in item.split("。") if len(part) > 10)
    return sorted(set(texts))


# -- the worker: one database ----------------------------------------------


def reset_database(database):
    if database == "sqlite":
        SQLITE_PATH.unlink(missing_ok=True)
        return f"sqlite:///{SQLITE_PATH}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"


def generate_pages(count, seed=20261121):
    import datetime

    from cms.activities.models import ActivityIndexPage, ActivityPage
    from home.models import HomePage

    rng = random.Random(seed)
    pool = sentences()
    home = HomePage.objects.get()
    index = ActivityIndexPage(title="ベンチマーク用の講座・イベント", slug="bench")
    home.add_child(instance=index)
    for number in range(count):
        kind_word, kind = rng.choice(KINDS)
        theme, area = rng.choice(THEMES), rng.choice(AREAS)
        title = f"第{rng.randint(1, 12)}回 {area}で考える{theme}{kind_word}"
        day = datetime.date(2012, 4, 1) + datetime.timedelta(days=rng.randint(0, 5400))
        index.add_child(
            instance=ActivityPage(
                title=title,
                slug=f"bench-{number}",
                kind=kind,
                start_date=day,
                start_time=datetime.time(rng.choice([10, 13, 14, 18]), rng.choice([0, 30])),
                summary="".join(rng.sample(pool, 2)) + f"{area}の{theme}について話し合います。",
                content="".join(rng.sample(pool, 4)),
            )
        )
    return ActivityPage.objects.count()


@contextmanager
def raw_fields():
    """Index the text as written: what Wagtail's stock backend would see."""
    from wagtail.search import index

    from search.index import JapaneseAutocompleteField, JapaneseSearchField

    saved = JapaneseSearchField.get_value, JapaneseAutocompleteField.get_value
    JapaneseSearchField.get_value = index.SearchField.get_value
    JapaneseAutocompleteField.get_value = index.AutocompleteField.get_value
    try:
        yield
    finally:
        JapaneseSearchField.get_value, JapaneseAutocompleteField.get_value = saved


def measure(backend_name):
    from wagtail.models import Page

    pages = Page.objects.live().public().filter(depth__gt=1)

    def run(query):
        results = pages.search(query, operator="and", backend=backend_name)
        if len(query.replace(" ", "")) <= 2 and not results.count():
            results = pages.autocomplete(query, backend=backend_name)
        return results

    timings = []
    for query in QUERIES:
        results = run(query)
        results.count(), list(results[:10])  # warm-up
        for _ in range(REPEATS):
            started = time.perf_counter()
            results = run(query)
            results.count()
            list(results[:10])
            timings.append((time.perf_counter() - started) * 1000)
    expected = found = 0
    for row in TABLE:
        slugs = {page.slug for page in run(row["q"])}
        expected += len(row["expect"])
        found += sum(slug in slugs for slug in row["expect"])
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "recall": found / expected,
    }


def database_url(database):
    if database == "sqlite":
        return f"sqlite:///{SQLITE_PATH}"
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"


def worker(database, page_count, reuse=False):
    """Build (or, with reuse, keep) the database, index it both ways, measure."""
    os.environ["DATABASE_URL"] = database_url(database) if reuse else reset_database(database)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from cms.activities.models import ActivityPage
    from cms.demo.loader import load_demo_content

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if reuse and ActivityPage.objects.filter(slug="bench-0").exists():
        pages = ActivityPage.objects.count()
    else:
        load_demo_content()
        pages = generate_pages(page_count)
    generate_seconds = time.perf_counter() - started

    report = {"database": database, "activity_pages": pages, "generate_s": generate_seconds}
    with raw_fields():
        started = time.perf_counter()
        call_command("update_index", backend_name="stock", verbosity=0)
        report["index_s_stock"] = time.perf_counter() - started
        report["stock"] = measure("stock")
    started = time.perf_counter()
    call_command("update_index", backend_name="default", verbosity=0)
    report["index_s_ours"] = time.perf_counter() - started
    report["ours"] = measure("default")
    if database == "postgres" and os.environ.get("OPENSEARCH_URL"):
        from wagtail.search.backends import get_search_backend

        started = time.perf_counter()
        call_command("update_index", backend_name="engine", verbosity=0)
        engine = get_search_backend("engine")
        engine.es.indices.refresh(index="musashino_bench_*")
        report["index_s_engine"] = time.perf_counter() - started
        report["engine"] = measure("engine")
        engine.es.indices.delete(index="musashino_bench_*")
    print(json.dumps(report))


# -- the parent: run each database in its own process, print one table ------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the generated databases of the last run"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.pages, reuse=args.reuse)
        return
    reports = []
    for database in args.databases.split(","):
        print(f"… {database}: {args.pages} pages", file=sys.stderr, flush=True)
        command = [sys.executable, "-m", "bench.search", "--worker", database]
        output = subprocess.run(
            [*command, "--pages", str(args.pages), *(["--reuse"] if args.reuse else [])],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        reports.append(json.loads(output.strip().splitlines()[-1]))
    print(
        f"\nSearch: {len(QUERIES)} queries × {REPEATS} runs, "
        f"{reports[0]['activity_pages']} activity pages (+ demo content)\n"
    )
    print(
        "| database | backend | median ms | p95 ms | recall (query table) "
        "| index build s | median vs stock |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for report in reports:
        stock, ours = report["stock"], report["ours"]
        rows = [
            ("Wagtail stock database", stock, report["index_s_stock"]),
            ("Japanese-aware (ours)", ours, report["index_s_ours"]),
        ]
        if "engine" in report:
            rows.append(
                ("OpenSearch, Japanese-aware (ours)", report["engine"], report["index_s_engine"])
            )
        for name, result, index_s in rows:
            ratio = result["median_ms"] / stock["median_ms"]
            print(
                f"| {report['database']} | {name} | {result['median_ms']:.1f} | "
                f"{result['p95_ms']:.1f} | {result['recall']:.0%} | {index_s:.1f} | {ratio:.2f}× |"
            )


if __name__ == "__main__":
    main()

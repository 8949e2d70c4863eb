"""Matching benchmark: the vectorised engine beside a per-opportunity Python loop
computing the same scores, on the same generated data, in one run.

    python -m bench.matching                       # 100,000 opportunities
    python -m bench.matching --opportunities 20000 --profiles 2000

Generates N open opportunities of realistic Japanese text (fixed random seed)
in 1,000 groups, with 30 skills and their aliases, slots, capacities and places
around Musashino, then measures: building the engine (time and memory);
ranking one profile (50 profiles, median and p95); the naive loop for a few
profiles and its ratio to the engine on the same profiles; and rank_many over
a batch of profiles. Prints one markdown table.

    python -m bench.matching --quality             # ranking quality, residents' words

Ranking quality instead: NDCG@10 on both halves of the labelled set in
matching/samples/evaluation/ (residents in their own words), for the
baselines, the engine without a bridge, and each bridge measured: character
n-grams (defined here, as they were not kept) and ja-ginza's word vectors
(the engine's default when installed). Prints one markdown table.
"""

import argparse
import datetime
import os
import platform
import random
import re
import resource
import statistics
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from dataclasses import replace

import numpy as np

SEED = 20261121
GROUPS = 1_000
SKILLS = [
    ("childcare", "保育", ["子守り", "託児"]),
    ("cooking", "調理", ["料理", "炊き出し"]),
    ("translation-en", "英語の通訳・翻訳", ["英語", "通訳"]),
    ("translation-zh", "中国語の通訳・翻訳", ["中国語"]),
    ("translation-ko", "韓国語の通訳・翻訳", ["韓国語"]),
    ("pc", "パソコン", ["PC", "パソコン操作"]),
    ("smartphone", "スマートフォン", ["スマホ", "携帯電話"]),
    ("web", "ホームページ作成", ["ウェブサイト", "Web制作"]),
    ("design", "デザイン", ["チラシ作り", "イラスト"]),
    ("photo", "写真撮影", ["カメラ"]),
    ("video", "動画編集", ["映像"]),
    ("accounting", "会計", ["経理", "簿記"]),
    ("care", "介護", ["介助", "ヘルパー"]),
    ("nursing", "看護", ["看護師"]),
    ("first-aid", "応急手当", ["救命講習"]),
    ("driving", "運転", ["車の運転", "送迎"]),
    ("carpentry", "大工仕事", ["日曜大工", "修理"]),
    ("gardening", "園芸", ["ガーデニング", "花壇づくり"]),
    ("music", "音楽演奏", ["楽器", "合唱"]),
    ("storytelling", "読み聞かせ", ["絵本", "紙芝居"]),
    ("tutoring", "学習支援", ["勉強を教える", "家庭教師"]),
    ("sports", "スポーツ指導", ["運動", "体操"]),
    ("sign-language", "手話", ["手話通訳"]),
    ("counseling", "傾聴", ["話し相手", "相談"]),
    ("event", "イベント運営", ["受付", "会場設営"]),
    ("writing", "文章作成", ["広報", "記事執筆"]),
    ("crafts", "工作", ["ものづくり", "手芸"]),
    ("cleaning", "清掃", ["掃除", "ゴミ拾い"]),
    ("disaster", "防災", ["防災士", "避難所運営"]),
    ("law", "法律相談", ["行政書士", "法律"]),
]
THEMES = [
    ("子育て支援", ["childcare", "storytelling"], "子育て"),
    ("高齢者の見守り", ["care", "counseling", "driving"], "福祉"),
    ("防災訓練", ["disaster", "first-aid"], "防災"),
    ("清掃活動", ["cleaning"], "環境"),
    ("翻訳・通訳", ["translation-en", "translation-zh", "translation-ko"], "国際交流"),
    ("ICTサポート", ["pc", "smartphone", "web"], "ICT"),
    ("読み聞かせ", ["storytelling"], "子育て"),
    ("工作教室", ["crafts", "carpentry"], "子ども"),
    ("子ども食堂", ["cooking", "childcare"], "子ども"),
    ("学習支援", ["tutoring"], "子ども"),
    ("花壇の手入れ", ["gardening"], "環境"),
    ("地域のお祭り", ["event", "music"], "まちづくり"),
    ("広報誌づくり", ["writing", "design", "photo"], "まちづくり"),
    ("スポーツ教室", ["sports"], "スポーツ"),
    ("障害のある方の外出支援", ["care", "sign-language", "driving"], "福祉"),
    ("会計・事務の手伝い", ["accounting", "pc"], "NPO支援"),
    ("動画で活動紹介", ["video", "photo"], "まちづくり"),
    ("外国人の生活相談", ["translation-en", "law", "counseling"], "国際交流"),
]
AREAS = [
    ("吉祥寺東町", 35.7095, 139.5890),
    ("吉祥寺南町", 35.7005, 139.5820),
    ("御殿山", 35.6995, 139.5760),
    ("吉祥寺本町", 35.7065, 139.5770),
    ("吉祥寺北町", 35.7150, 139.5750),
    ("中町", 35.7060, 139.5620),
    ("西久保", 35.7100, 139.5530),
    ("緑町", 35.7170, 139.5640),
    ("八幡町", 35.7160, 139.5480),
    ("関前", 35.7130, 139.5400),
    ("境", 35.7060, 139.5440),
    ("境南町", 35.6990, 139.5430),
    ("桜堤", 35.7100, 139.5350),
]
ROLES = ["ボランティア", "スタッフ募集", "サポーター", "お手伝い", "協力者募集", "担い手"]
SENTENCES = [
    "{area}で{theme}に取り組んでいます。",
    "{theme}のボランティアを募集しています。",
    "初めての方も歓迎します。経験は問いません。",
    "{day}の{time}に{place}で活動しています。",
    "{area}周辺にお住まいの方、{theme}に関心のある方はぜひご参加ください。",
    "地域のつながりを大切にしながら、{theme}を続けています。",
    "{place}を拠点に、月に{count}回ほど集まっています。",
    "学生からシニアまで幅広い世代が参加しています。",
    "{skill}ができる方を特に歓迎します。",
    "活動後には参加者同士で交流の時間があります。",
    "お年寄りや子どもたちと触れ合える活動です。",
    "ものづくりが好きな方、手を動かすことが好きな方に向いています。",
    "市民活動センターと協働で{theme}の講座も開いています。",
    "{area}の町内会や学校と連携して進めています。",
]
NOTICE = "{month}月{day}日{hour}時から{place}で{theme}の説明会を開きます（定員{count}名）。"
PLACES = [
    "武蔵野プレイス",
    "市民会館",
    "吉祥寺東コミュニティセンター",
    "境南コミュニティセンター",
    "中央コミセン",
    "市民活動センター",
    "公園",
    "地域の集会所",
]
DAYS_JA = ["月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日"]
TIMES_JA = ["午前", "午後", "夕方"]
INTERESTS = [
    "お年寄りの見守り",
    "高齢者の話し相手",
    "子育て中の親子の支援",
    "子どもの学習支援",
    "ものづくり",
    "工作",
    "防災",
    "地域の清掃",
    "公園の掃除",
    "外国人の支援",
    "翻訳",
    "パソコンを教える",
    "スマホ教室",
    "読み聞かせ",
    "花壇づくり",
    "地域のお祭り",
    "料理",
    "つながる場づくり",
    "ｶﾌｪの運営",
    "写真や動画",
]
BOX = (35.70, 35.72, 139.53, 139.59)
EVALUATION_SET = "matching/samples/evaluation"


def generate(opportunity_count, profile_count, seed=SEED):
    """Skills, groups, open opportunities and profiles of the benchmark (fixed seed)."""
    from matching.engine import Group, Opportunity, Place, Profile, Skill
    from matching.engine.slots import SLOT_CODES

    rng = random.Random(seed)
    skills = [Skill(slug, name, tuple(aliases)) for slug, name, aliases in SKILLS]
    slugs = [slug for slug, _name, _aliases in SKILLS]
    names = {slug: name for slug, name, _aliases in SKILLS}

    def place():
        return Place(round(rng.uniform(*BOX[:2]), 5), round(rng.uniform(*BOX[2:]), 5))

    def sentence(area, theme, skill):
        return rng.choice(SENTENCES).format(
            area=area,
            theme=theme,
            skill=skill,
            day=rng.choice(DAYS_JA),
            time=rng.choice(TIMES_JA),
            place=rng.choice(PLACES),
            count=rng.randint(1, 4),
        )

    groups, group_themes = [], []
    for number in range(GROUPS):
        theme, _theme_skills, field = rng.choice(THEMES)
        area = rng.choice(AREAS)[0]
        groups.append(
            Group(
                key=f"group-{number:04d}",
                title=f"{area}{theme}の会",
                description="".join(sentence(area, theme, "") for _ in range(3)),
                fields=(field,),
                place=place(),
            )
        )
        group_themes.append(theme)

    opportunities = []
    for number in range(opportunity_count):
        group_position = rng.randrange(GROUPS)
        theme, theme_skills, field = rng.choice(
            [row for row in THEMES if row[0] == group_themes[group_position]] + [rng.choice(THEMES)]
        )
        area = rng.choice(AREAS)[0]
        required = rng.sample(theme_skills, rng.randint(0, len(theme_skills)))
        if rng.random() < 0.2:
            required.append(rng.choice(slugs))
        capacity = rng.choice([None, None, 2, 3, 5, 10, 20])
        accepted = rng.randint(0, capacity) if capacity else rng.randint(0, 3)
        opportunities.append(
            Opportunity(
                key=f"opp-{number:06d}",
                title=f"{area}の{theme}{rng.choice(ROLES)}",
                description="".join(
                    sentence(area, theme, names[rng.choice(theme_skills)])
                    for _ in range(rng.randint(2, 4))
                )
                # A sentence of its own, as real postings have: the Sudachi
                # work of the build is not all memoised away.
                + NOTICE.format(
                    month=rng.randint(1, 12),
                    day=rng.randint(1, 28),
                    hour=rng.choice([9, 10, 13, 14, 18]),
                    place=rng.choice(PLACES),
                    count=rng.randint(3, 40),
                    theme=theme,
                ),
                skills=tuple(required),
                slots=frozenset(rng.sample(SLOT_CODES, rng.choice([0, 1, 2, 3, 4, 6]))),
                place=place() if rng.random() < 0.95 else None,
                capacity=capacity,
                accepted=accepted,
                pending=rng.randint(0, 4),
                group_key=groups[group_position].key,
                fields=(field,),
            )
        )

    profiles = [
        Profile(
            key=f"resident-{number:05d}",
            skills=tuple(rng.sample(slugs, rng.randint(0, 3))),
            interests="、".join(rng.sample(INTERESTS, rng.randint(1, 3))) + "に関心があります",
            slots=frozenset(rng.sample(SLOT_CODES, rng.randint(1, 8))),
            place=place() if rng.random() < 0.9 else None,
            max_km=rng.choice([1.0, 2.0, 3.0, 5.0]),
        )
        for number in range(profile_count)
    ]
    return skills, groups, opportunities, profiles


class CharacterNgrams:
    """Terms sharing most of their character bigrams (Dice coefficient ≥ threshold).

    Joins spellings Sudachi's normalised forms leave apart (デジタル機器 and
    機器, 外国籍 and 外国人) without any data, but also words that only look
    alike.
    """

    name = "character n-grams"

    def __init__(self, threshold=0.5, size=2):
        self.threshold = threshold
        self.size = size
        self._indexes = {}

    def prepare(self, vocabulary):
        """Nothing to do ahead: the index is made on the first look-up."""

    def _grams(self, term):
        if len(term) < self.size:
            return frozenset()
        return frozenset(term[i : i + self.size] for i in range(len(term) - self.size + 1))

    def _index(self, vocabulary):
        postings = defaultdict(list)
        grams = []
        for column, term in enumerate(vocabulary.terms):
            found = self._grams(term)
            grams.append(found)
            for gram in found:
                postings[gram].append(column)
        return postings, grams

    def knows(self, word):
        """Any word has character bigrams, so none is bridged as two terms' word."""
        return False

    def related(self, vocabulary, term, *, limit=5, known=True, skip=()):
        """[(column, similarity)] of the vocabulary's terms nearest `term`, nearest first."""
        if id(vocabulary) not in self._indexes:
            self._indexes[id(vocabulary)] = (vocabulary, self._index(vocabulary))
        postings, grams = self._indexes[id(vocabulary)][1]
        mine = self._grams(term)
        if not mine:
            return []
        shared = Counter(column for gram in mine for column in postings.get(gram, ()))
        found = []
        for column, count in shared.items():
            if vocabulary.terms[column] == term or column in skip:
                continue
            dice = 2 * count / (len(mine) + len(grams[column]))
            if dice >= self.threshold:
                found.append((column, dice))
        found.sort(key=lambda item: (-item[1], item[0]))
        return found[:limit]


def quality():
    """NDCG@10 per half of the residents' own words, as a markdown table."""
    from matching.engine import MatchingEngine
    from matching.engine.bridges import (
        UNSEEN_VECTOR_THRESHOLD,
        VECTOR_THRESHOLD,
        WordVectors,
        shared_vectors,
    )
    from matching.evaluation_io import baseline_weights, load_evaluation_set, ndcg_by_half
    from matching.models import DEFAULT_WEIGHTS

    evaluation = load_evaluation_set(EVALUATION_SET)
    weights = DEFAULT_WEIGHTS
    rankings = [(name, w, None) for name, w in baseline_weights(weights).items()]
    rankings.append(("engine, no bridge", weights, None))
    for threshold in (0.4, 0.5):
        rankings.append(
            (
                f"engine + character bigrams (Dice ≥ {threshold})",
                weights,
                CharacterNgrams(threshold),
            )
        )
    try:
        started = time.perf_counter()
        vectors = WordVectors.of_ja_ginza(threshold=VECTOR_THRESHOLD)
        load_s = time.perf_counter() - started
    except ImportError:
        vectors = load_s = None
    if vectors is not None:
        # (cosine for a word the listings use, for a word they do not)
        settings = [(0.5, 0.5), (0.6, 0.6), (0.6, 0.5), (0.6, 0.45), (0.6, 0.4), (0.6, 0.35)]
        for threshold, unseen in settings:
            for bridge_weight in (0.6, 0.8):
                bridge = shared_vectors(str(vectors.directory), threshold, unseen)
                chosen = (threshold, unseen, bridge_weight) == (
                    VECTOR_THRESHOLD,
                    UNSEEN_VECTOR_THRESHOLD,
                    weights.bridge,
                )
                name = (
                    f"engine + word vectors (cosine ≥ {threshold}, ≥ {unseen} for a word "
                    f"no listing uses; weight {bridge_weight})"
                )
                rankings.append(
                    (
                        f"**{name}: the default**" if chosen else name,
                        replace(weights, bridge=bridge_weight),
                        bridge,
                    )
                )
    tuning = len(evaluation.half("tuning"))
    held_out = len(evaluation.half("held-out"))
    print(
        f"\nNDCG@10, residents in their own words: {len(evaluation.opportunities)} listings, "
        f"{tuning} tuning + {held_out} held-out residents · {datetime.date.today()}\n"
    )
    print("| ranking | tuning | held-out |")
    print("| --- | ---: | ---: |")
    for name, ranking_weights, bridge in rankings:
        engine = MatchingEngine.build(
            evaluation.opportunities,
            evaluation.groups,
            evaluation.skills,
            weights=ranking_weights,
            bridge=bridge,
        )
        scores = ndcg_by_half(evaluation, engine)
        print(f"| {name} | {scores['tuning']:.3f} | {scores['held-out']:.3f} |")
    if vectors is None:
        print("\nja_ginza is not installed: no word vectors measured.")
    else:
        print(
            f"\nWord vectors: {vectors.vectors.shape[0]:,} × {vectors.vectors.shape[1]}, "
            f"loaded in {load_s:.2f} s."
        )


def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--profiles", type=int, default=10_000, help="batch size for rank_many")
    parser.add_argument("--naive-profiles", type=int, default=3)
    parser.add_argument(
        "--quality", action="store_true", help="NDCG@10 on the residents' own words instead"
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    import django

    django.setup()
    from django.utils import translation

    from matching.engine import MatchingEngine
    from search import analysis

    translation.activate("ja")
    if args.quality:
        quality()
        return
    print(f"… generating {args.opportunities} opportunities", file=sys.stderr, flush=True)
    skills, groups, opportunities, profiles = generate(args.opportunities, args.profiles + 50)
    single, batch = profiles[:50], profiles[50:]

    print("… building the engine", file=sys.stderr, flush=True)
    # Load Sudachi's dictionary first: it is the process's, not the engine's.
    analysis.terms("辞書を読み込む")
    sentences = {
        sentence
        for item in opportunities
        for part in (item.title, item.description)
        # Split as the engine splits, to count what Sudachi analyses.
        for sentence in re.split(r"(?<=[。．！？!?\n])", part)
    }
    rss_before = rss_mb()
    started = time.perf_counter()
    engine = MatchingEngine.build(opportunities, groups, skills)
    build_s = time.perf_counter() - started
    rss_delta = rss_mb() - rss_before
    # A second build under tracemalloc for the peak: it slows allocation, so
    # the time above comes from the build without it.
    del engine
    tracemalloc.start()
    engine = MatchingEngine.build(opportunities, groups, skills)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print("… ranking single profiles", file=sys.stderr, flush=True)
    engine.rank(profiles[-1])  # warm-up: first-call imports and caches
    timings = {}
    for kind in ("opportunities", "groups"):
        timings[kind] = []
        for profile in single:
            started = time.perf_counter()
            engine.rank(profile, kind=kind)
            timings[kind].append((time.perf_counter() - started) * 1000)

    print("… the naive loop", file=sys.stderr, flush=True)
    naive_ms, engine_ms, worst = [], [], 0.0
    for profile in single[: args.naive_profiles]:
        started = time.perf_counter()
        naive = engine.score_naive(profile)
        naive_ms.append((time.perf_counter() - started) * 1000)
        engine.rank(profile, limit=10)  # the loop above flushed the CPU caches
        started = time.perf_counter()
        ranked = engine.rank(profile, limit=10)
        engine_ms.append((time.perf_counter() - started) * 1000)
        for result in ranked:
            worst = max(worst, abs(result.score - naive[result.key]))
        top = sorted(naive.items(), key=lambda item: (-item[1], item[0]))[:10]
        if [key for key, _score in top] != [result.key for result in ranked]:
            worst = float("inf")

    print(f"… rank_many over {len(batch)} profiles", file=sys.stderr, flush=True)
    started = time.perf_counter()
    engine.rank_many(batch, limit=10)
    batch_s = time.perf_counter() - started

    single_ms = sorted(timings["opportunities"])
    group_ms = sorted(timings["groups"])
    ratio = statistics.median(naive_ms) / statistics.median(engine_ms)
    print(
        f"\nMatching: {engine.opportunity_count:,} open opportunities, "
        f"{engine.group_count:,} groups, {len(skills)} skills · "
        f"{datetime.date.today()} · {os.cpu_count()} CPUs · Python {platform.python_version()} · "
        f"numpy {np.__version__}\n"
    )
    print("| measure | value |")
    print("| --- | ---: |")
    rows = [
        ("engine build", f"{build_s:.1f} s"),
        ("distinct sentences analysed by Sudachi (memoised per build)", f"{len(sentences):,}"),
        ("engine build memory: tracemalloc peak", f"{peak / 2**20:.0f} MB"),
        ("engine build memory: RSS growth", f"{rss_delta:.0f} MB"),
        ("rank 1 profile (top 10 opportunities): median", f"{statistics.median(single_ms):.1f} ms"),
        ("rank 1 profile (top 10 opportunities): p95", f"{_p95(single_ms):.1f} ms"),
        ("rank 1 profile (top 10 groups): median", f"{statistics.median(group_ms):.1f} ms"),
        (
            f"naive per-opportunity loop: median of {len(naive_ms)} profiles",
            f"{statistics.median(naive_ms):,.0f} ms",
        ),
        ("engine on the same profiles: median", f"{statistics.median(engine_ms):.1f} ms"),
        ("naive / engine", f"{ratio:,.0f}×"),
        ("largest score difference naive vs engine (top 10)", f"{worst:.1e}"),
        (f"rank_many: {len(batch):,} profiles, total", f"{batch_s:.1f} s"),
        ("rank_many: per profile", f"{batch_s / len(batch) * 1000:.2f} ms"),
    ]
    for name, value in rows:
        print(f"| {name} | {value} |")
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nProcess peak RSS {peak_rss:.0f} MB.")


def _p95(sorted_values):
    return sorted_values[max(0, int(len(sorted_values) * 0.95) - 1)]


if __name__ == "__main__":
    main()

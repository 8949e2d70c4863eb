"""Locust scenario for the load benchmark (bench/load.py): residents browsing,
searching and ranking, weighted roughly as a resident's visit goes.

    locust -f bench/locustfile.py --headless -u 20 -r 20 -t 60s --host http://127.0.0.1:8000

Nothing is hard-coded but the search words and the matching profiles' words:
when the test starts, the site's own links are read once (the home page, the
activity and group listings, the matching page and its results) to find the
activity, group and opportunity pages, the listings' filter choices and the
matching form's skills, slots and areas. Requests are named by endpoint group
("activity page", "search", …) so locust's statistics come out one row per
group. A response fails unless it is 200 with what that page must show (the
results section on the matching page and on the search page, a results list
from the ranking API). Nothing is posted but to the JSON ranking API, which
stores nothing; the registration and 参加してみたい forms send e-mail and are
rate limited, so they are left alone.

Environment: BENCH_THINK, the think time between a user's requests in
seconds, "0" (default: each user sends its next request as soon as the last
one is answered) or a range such as "1-3"; BENCH_SEED for the random choices
(user n of a run always makes the same ones).
"""

import itertools
import json
import os
import random
import re
import urllib.parse
import urllib.request
from html import unescape

from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser

# What residents type into the search box (words of the demo content and the
# city's documents; a few find nothing, as some real searches do).
QUERIES = [
    "子育て",
    "環境",
    "講座",
    "ボランティア",
    "国際交流",
    "防災",
    "高齢者",
    "読み聞かせ",
    "吉祥寺",
    "まちづくり",
    "子育て 講座",
    "防災 ワークショップ",
    "NPO",
    "子ども",
    "交流会",
    "見守り",
    "市民活動 相談",
    "パソコン",
    "子",
    "食品ロス",
]
# What residents write in the matching form's 「関心のあること」.
INTERESTS = ["", "", "子育て", "環境", "国際交流", "防災", "高齢者の見守り", "子ども", "まちづくり"]

SITE = {}  # filled once per run by discover()
USER_NUMBERS = itertools.count()


def _think():
    spec = os.environ.get("BENCH_THINK", "0").strip()
    low, _sep, high = spec.partition("-")
    return constant(float(low)) if not high else between(float(low), float(high))


def _fetch(host, path):
    with urllib.request.urlopen(host + path, timeout=30) as response:
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
        return response.read().decode("utf-8")


def _links(html):
    return {unescape(href) for href in re.findall(r'href="(/[^"#?]*)"', html)}


def _choices(html, name, kind="select"):
    """The values a form offers for `name` (a <select>, or checkboxes), blanks left out."""
    if kind == "select":
        match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
        values = re.findall(r'<option value="([^"]*)"', match.group(1)) if match else []
    else:
        values = re.findall(rf'<input type="checkbox" name="{name}" value="([^"]*)"', html)
    return [unescape(value) for value in values if value]


def discover(host):
    """The site's pages and form choices, read from its own links."""
    home = _fetch(host, "/")
    activities = _fetch(host, "/activities/")
    groups = _fetch(host, "/groups/")
    matching = _fetch(host, "/matching/")
    skills = _choices(matching, "skills", kind="checkbox")
    slots = _choices(matching, "slots", kind="checkbox")
    areas = _choices(matching, "area")
    links = _links(home) | _links(activities) | _links(groups)
    # Group pages do not list their opportunities: the matching results do.
    for skill in skills:
        query = urllib.parse.urlencode({"skills": skill, "slots": slots, "max_km": 10}, doseq=True)
        links |= _links(_fetch(host, f"/matching/?{query}"))
    site = {
        "activities": sorted(
            link
            for link in links
            if re.fullmatch(r"/activities/[\w-]+/([\w-]+/)?", link)
            and not link.startswith("/activities/calendar")
        ),
        "groups": sorted(link for link in links if re.fullmatch(r"/groups/[\w-]+/", link)),
        "opportunities": sorted(
            link for link in links if re.fullmatch(r"/groups/[\w-]+/[\w-]+/", link)
        ),
        "activity_filters": {name: _choices(activities, name) for name in ("fy", "kind", "field")},
        "group_filters": {name: _choices(groups, name) for name in ("field", "area")},
        "skills": skills,
        "slots": slots,
        "areas": areas,
    }
    empty = [name for name, value in site.items() if not value]
    if empty:
        raise RuntimeError(f"nothing found on the site for: {', '.join(empty)}")
    found = _fetch(host, "/search/?query=" + urllib.parse.quote("子育て"))
    if 'class="search-result"' not in found:
        raise RuntimeError("the search finds nothing for 子育て: is the search index built?")
    return site


@events.test_start.add_listener
def _on_test_start(environment, **_kwargs):
    if not SITE:
        SITE.update(discover(environment.host.rstrip("/")))
        counts = ", ".join(f"{len(SITE[key])} {key}" for key in ("activities", "groups"))
        print(f"… found {counts}, {len(SITE['opportunities'])} opportunities", flush=True)


class Resident(FastHttpUser):
    """A resident of Musashino on the portal: reads, filters, searches, asks for matches."""

    wait_time = _think()

    def on_start(self):
        if not SITE:
            raise StopUser()
        seed = os.environ.get("BENCH_SEED", "20261121")
        self.rng = random.Random(f"{seed}-{next(USER_NUMBERS)}")

    def _get(self, path, name, must_contain=None):
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif must_contain and must_contain not in (response.text or ""):
                response.failure(f"no {must_contain!r} in the page")
            else:
                response.success()

    def _filters(self, choices, at_most=2):
        names = self.rng.sample(sorted(choices), self.rng.randint(1, min(at_most, len(choices))))
        return {name: self.rng.choice(choices[name]) for name in names}

    # -- browsing ------------------------------------------------------------

    @task(10)
    def home(self):
        self._get("/", "home")

    @task(6)
    def activity_listing(self):
        params = {}
        roll = self.rng.random()
        if roll < 0.4:
            params = self._filters(SITE["activity_filters"])
        elif roll < 0.55:
            params = {"page": 2}
        query = "?" + urllib.parse.urlencode(params) if params else ""
        self._get("/activities/" + query, "activity listing")

    @task(12)
    def activity_page(self):
        self._get(self.rng.choice(SITE["activities"]), "activity page")

    @task(4)
    def group_listing(self):
        params = self._filters(SITE["group_filters"]) if self.rng.random() < 0.4 else {}
        query = "?" + urllib.parse.urlencode(params) if params else ""
        self._get("/groups/" + query, "group listing")

    @task(8)
    def group_page(self):
        self._get(self.rng.choice(SITE["groups"]), "group page")

    @task(6)
    def opportunity_page(self):
        self._get(self.rng.choice(SITE["opportunities"]), "opportunity page")

    # -- searching -----------------------------------------------------------

    @task(14)
    def search(self):
        params = {"query": self.rng.choice(QUERIES)}
        roll = self.rng.random()
        if roll < 0.15:
            params["type"] = self.rng.choice(["activity", "group"])
        elif roll < 0.25:
            params["page"] = 2
        self._get("/search/?" + urllib.parse.urlencode(params), "search", 'id="results-heading"')

    # -- ranking -------------------------------------------------------------

    def _profile(self):
        rng = self.rng
        profile = {
            "skills": rng.sample(SITE["skills"], rng.randint(0, 3)),
            "interests": rng.choice(INTERESTS),
            "slots": rng.sample(SITE["slots"], rng.randint(0, 6)),
            "area": rng.choice(SITE["areas"] + [""]),
            "max_km": rng.choice([1, 2, 3, 3, 5, 10]),
        }
        if not (profile["skills"] or profile["interests"] or profile["slots"]):
            profile["skills"] = [rng.choice(SITE["skills"])]
        return profile

    @task(8)
    def matching_page(self):
        profile = self._profile()
        query = urllib.parse.urlencode(profile, doseq=True)
        # The results section (its list, or "no open opportunities matched").
        self._get(f"/matching/?{query}", "matching page (ranking)", 'id="opportunities-heading"')

    @task(4)
    def rank_api(self):
        kind = "groups" if self.rng.random() < 0.25 else "opportunities"
        with self.client.post(
            f"/api/matching/rank/?kind={kind}&limit=10",
            data=json.dumps(self._profile(), ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            name="rank API (JSON)",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}: {(response.text or '')[:200]}")
            elif not isinstance(response.json().get("results"), list):
                response.failure("no results list")
            else:
                response.success()

"""Search latency on a board of synthetic Korean/English posts.

    python -m bench.bench_search --count 100000 [--queries 200] [--database-url postgres://…]

Fills a fresh database (a new SQLite file unless ``--database-url``) with ``count`` posts
through ``search.service.index_document`` (glossary synonyms on), then times 200 searches
through ``search.service.search`` (ranking, capped total and snippets included): two-syllable
Korean words, words with particles, English and Korean place names, two-word queries. Target:
p95 < 30 ms at 100,000 posts on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

GLOSSARY_TSV = Path(__file__).resolve().parent.parent / "pipeline/brief/data/glossary.tsv"

NOUNS = [
    "포로",
    "휴전",
    "전쟁",
    "공세",
    "방어",
    "병력",
    "부대",
    "전선",
    "드론",
    "미사일",
    "포격",
    "공습",
    "협상",
    "외교",
    "동맹",
    "제재",
    "정보",
    "작전",
    "전차",
    "장갑차",
    "보병",
    "포병",
    "해군",
    "공군",
    "육군",
    "국방",
    "안보",
    "위협",
    "억제",
    "훈련",
    "연합",
    "사령부",
    "장관",
    "대통령",
    "정부",
    "의회",
    "발표",
    "성명",
    "회담",
    "합의",
    "교환",
    "석방",
    "송환",
    "피해",
    "사상자",
    "민간인",
    "난민",
    "재건",
    "지원",
    "무기",
    "탄약",
    "보급",
    "물자",
    "방공",
    "요격",
    "레이더",
    "위성",
    "사이버",
    "정찰",
    "감시",
    "전략",
    "전술",
    "평가",
    "분석",
    "동향",
    "진격",
    "후퇴",
    "점령",
    "탈환",
    "교전",
    "충돌",
    "도발",
    "긴장",
    "위기",
    "핵무기",
    "핵실험",
    "탄도",
    "순항",
    "기지",
    "항구",
    "철도",
    "교량",
    "발전소",
    "에너지",
    "경제",
    "예산",
    "수출",
    "생산",
    "산업",
    "기술",
    "개발",
    "연구",
    "협력",
    "파병",
    "징집",
    "동원",
    "인력",
    "지휘관",
    "장교",
    "병사",
    "전투",
    "지역",
    "국경",
    "영토",
    "주민",
    "도시",
    "마을",
    "북한",
    "러시아",
    "우크라이나",
    "이란",
    "중국",
    "미국",
    "일본",
    "유럽",
    "나토",
    "이스라엘",
    "하마스",
    "헤즈볼라",
    "후티",
    "시리아",
    "대만",
    "한국",
    "국방부",
    "합참",
    "군사",
]
PARTICLES = ["", "", "", "을", "를", "은", "는", "이", "가", "의", "에", "에서", "으로", "와", "도"]
VERBS = [
    "밝혔습니다",
    "평가했습니다",
    "보고했습니다",
    "진행했습니다",
    "확인했습니다",
    "강화했습니다",
    "발표했습니다",
    "지속했습니다",
    "주장했습니다",
    "전했습니다",
]
ENGLISH = [
    "russian",
    "ukrainian",
    "forces",
    "attacked",
    "advanced",
    "near",
    "the",
    "city",
    "on",
    "along",
    "front",
    "line",
    "reported",
    "assessed",
    "drone",
    "strike",
    "missile",
    "artillery",
    "offensive",
    "defensive",
    "operations",
    "troops",
    "brigade",
    "regiment",
    "battalion",
    "command",
    "officials",
    "stated",
    "claimed",
    "geolocated",
    "footage",
    "indicates",
    "likely",
    "continued",
    "pressure",
    "sector",
    "direction",
    "positions",
    "village",
    "settlement",
    "ceasefire",
    "prisoners",
    "exchange",
    "negotiations",
    "sanctions",
    "air",
    "defense",
    "strikes",
    "infrastructure",
    "energy",
]
SYLLABLES = (
    "가나다라마바사아자차카타파하고노도로모보소오조초코토포호구누"
    "두루무부수우주추쿠투푸후기니디리미비시이지치키티피히강난당랑"
    "망방상앙장창캉탕팡항"
)


def _glossary() -> list[tuple[str, str]]:
    with GLOSSARY_TSV.open(encoding="utf-8") as f:
        return [
            (row["english"], row["korean"])
            for row in csv.DictReader(f, delimiter="\t")
            if row.get("english") and row.get("korean")
        ]


class Corpus:
    """Deterministic synthetic posts: Zipf-distributed Korean nouns and pseudo-words."""

    def __init__(self, seed: int, glossary: list[tuple[str, str]]) -> None:
        self.rng = random.Random(seed)
        self.glossary = glossary
        pseudo = {
            "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.choice((2, 2, 3))))
            for _ in range(6000)
        }
        self.words = NOUNS + sorted(pseudo)
        self.cum_weights = list(
            itertools.accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(self.words)))
        )

    def korean_word(self) -> str:
        word = self.rng.choices(self.words, cum_weights=self.cum_weights)[0]
        return word + self.rng.choice(PARTICLES)

    def place(self) -> tuple[str, str]:
        return self.rng.choice(self.glossary)

    def korean_sentence(self) -> str:
        words = [self.korean_word() for _ in range(self.rng.randint(5, 12))]
        if self.rng.random() < 0.4:
            words.insert(
                self.rng.randrange(len(words)), self.place()[1] + self.rng.choice(PARTICLES)
            )
        return " ".join(words) + " " + self.rng.choice(VERBS) + "."

    def english_sentence(self) -> str:
        words = [self.rng.choice(ENGLISH) for _ in range(self.rng.randint(8, 18))]
        if self.rng.random() < 0.6:
            words.insert(self.rng.randrange(len(words)), self.place()[0])
        return " ".join(words).capitalize() + "."

    def post(self) -> tuple[str, str, list[str]]:
        title = " ".join(self.korean_word() for _ in range(self.rng.randint(3, 7)))
        if self.rng.random() < 0.3:
            title = f"{self.place()[1]} {title}"
        body = " ".join(self.korean_sentence() for _ in range(self.rng.randint(4, 12)))
        if self.rng.random() < 0.5:
            body += "\n\n" + " ".join(
                self.english_sentence() for _ in range(self.rng.randint(3, 8))
            )
        tags = self.rng.sample(NOUNS[-30:], self.rng.randint(1, 3))
        return title, body, tags

    def query(self) -> str:
        kind = self.rng.random()
        if kind < 0.3:
            return self.rng.choice(NOUNS)
        if kind < 0.45:
            return self.rng.choice(NOUNS) + self.rng.choice(PARTICLES[3:])
        if kind < 0.6:
            return self.place()[0]
        if kind < 0.7:
            return self.place()[1]
        if kind < 0.8:
            return self.rng.choice(self.words[len(NOUNS) :])
        return f"{self.rng.choice(NOUNS)} {self.rng.choice(NOUNS)}"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument(
        "--reuse", action="store_true", help="search the posts a previous run left in the database"
    )
    args = parser.parse_args(argv)

    os.environ["BRIEFROOM_DATA_DIR"] = tempfile.mkdtemp(prefix="briefroom-bench-")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection, transaction

    if args.reuse and not args.database_url:
        print("--reuse needs --database-url (a SQLite run starts from a fresh file)")
        return 2
    if not apps.is_installed("search"):
        print("the search app is not in INSTALLED_APPS")
        return 2
    call_command("migrate", verbosity=0)

    from search.models import SearchDocument
    from search.service import Synonyms, index_document, search

    glossary = _glossary()
    synonyms = Synonyms(glossary)
    corpus = Corpus(args.seed, glossary)
    indexing = None
    chars = 0
    if args.reuse:
        for _ in range(args.count):  # the same random state as a run that filled the database
            chars += len(corpus.post()[1])
    else:
        SearchDocument.objects.filter(doc_type="bench").delete()
        began = time.perf_counter()
        start = dt.datetime(2022, 2, 24, tzinfo=dt.UTC)
        batch = 1000
        for first in range(0, args.count, batch):
            with transaction.atomic():
                for doc_id in range(first, min(first + batch, args.count)):
                    title, body, tags = corpus.post()
                    chars += len(body)
                    index_document(
                        "bench",
                        doc_id,
                        title=title,
                        body=body,
                        tags=tags,
                        published_at=start + dt.timedelta(minutes=15 * doc_id),
                        synonyms=synonyms,
                    )
            print(f"\rindexed {min(first + batch, args.count):,}", end="", file=sys.stderr)
        indexing = time.perf_counter() - began
        print(file=sys.stderr)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE search_searchdocument")

    queries = [corpus.query() for _ in range(args.queries)]
    for query in queries[:10]:  # warm the page cache
        search(query)
    latencies: list[float] = []
    totals: list[int] = []
    slowest: list[tuple[float, str, int]] = []
    for query in queries:
        t0 = time.perf_counter()
        page = search(query, doc_type="bench")
        elapsed = time.perf_counter() - t0
        latencies.append(elapsed)
        totals.append(page.total)
        slowest.append((elapsed, query, page.total))

    ms = [latency * 1000 for latency in latencies]
    print(
        f"database: {connection.vendor}, posts: {args.count:,}, "
        f"mean body {chars / args.count:,.0f} chars"
    )
    if indexing is not None:
        print(f"indexing: {indexing:.1f} s, {args.count / indexing:,.0f} posts/s")
    print(
        f"search ({len(queries)} queries, 20 hits with snippets): "
        f"p50 {statistics.median(ms):.1f} ms, p95 {_percentile(ms, 0.95):.1f} ms, "
        f"max {max(ms):.1f} ms, mean {statistics.mean(ms):.1f} ms"
    )
    print(
        f"totals: median {statistics.median(totals):,.0f}, "
        f"capped {sum(t >= 1000 for t in totals)}, empty {sum(t == 0 for t in totals)}"
    )
    print(
        "slowest:", ", ".join(f"{q!r} {s * 1000:.0f} ms ({n})" for s, q, n in sorted(slowest)[-5:])
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

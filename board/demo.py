"""Demo reports and briefs for the board: the ``board_demo`` command, tests and the benchmark.

Everything here goes through the real store (``store_article``) and real Brief rows, so a demo
post is published exactly like a crawled one; only ``Post.is_demo`` tells them apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from board.models import Post
from board.services import publish_report
from briefs.models import Brief
from pipeline.types import Article, MapImage, Section, Topline
from reports.models import Report
from reports.services import store_article

ROCA = "russian-offensive-campaign-assessment"
IRAN = "iran-update"
ISW_PATHS = {ROCA: "russia-ukraine", IRAN: "middle-east"}
ISW_TITLES = {ROCA: "Russian Offensive Campaign Assessment", IRAN: "Iran Update"}


def _long_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def isw_article(day: dt.date, series: str = ROCA, *, html: str = "") -> Article:
    """An ISW report of ``series`` on ``day`` with toplines, takeaways, sections, maps, notes."""
    name = ISW_TITLES[series]
    slug = f"{series}-{day:%B}-{day.day}-{day.year}".lower()
    when = _long_date(day)
    if series == IRAN:
        toplines = [
            Topline(
                f"Iranian officials rejected a proposal for new nuclear talks on {when}.",
                "The Iranian Foreign Ministry said that talks with the United States would wait "
                "until sanctions are lifted. Israeli officials warned of further strikes.",
            )
        ]
        takeaways = [
            "Iranian officials rejected a proposal for new nuclear talks.",
            "Israeli forces struck targets in Syria.",
            "Iraqi militias threatened US forces in Iraq.",
        ]
        sections = [
            Section(
                "iran",
                "Iran",
                "Iranian officials continued to reject talks with the United States.\n\n"
                "The Iranian parliament debated a bill on the International Atomic Energy Agency.",
            ),
            Section(
                "syria",
                "Syria",
                "Israeli forces conducted strikes near Damascus, Syria.\n\n"
                "Turkey called for restraint.",
            ),
        ]
    else:
        toplines = [
            Topline(
                f"Ukrainian and Russian delegations met in Istanbul on {when}.",
                "The delegations agreed to exchange 1,000 prisoners of war. Turkey hosted the "
                "talks, and Russia refused to share its memorandum before the meeting.",
            ),
            Topline(
                "Russian forces intensified assaults near Pokrovsk.",
                "Russian forces attacked Ukrainian positions northeast of Pokrovsk and near "
                "Kramatorsk in Donetsk Oblast.",
            ),
        ]
        takeaways = [
            f"Ukrainian and Russian delegations met in Istanbul on {when} and agreed to exchange "
            "prisoners of war.",
            "Russia refused to share its memorandum before the meeting.",
            "Russian forces intensified assaults near Pokrovsk.",
            "Ukrainian forces struck a Russian airbase with long-range drones.",
        ]
        sections = [
            Section(
                "ukr-ops",
                "Ukrainian Operations in the Russian Federation",
                "Fighting continued in Kursk Oblast, but neither side made confirmed advances.\n\n"
                "Assessed Russian advances\n\n"
                "Ukrainian drones struck an airbase in Russia, according to Ukrainian officials.",
            ),
            Section(
                "pokrovsk",
                "Pokrovsk Direction",
                "Russian forces continued assaults near Pokrovsk and Myrnohrad.\n\n"
                "Geolocated footage shows Russian forces advancing northeast of Pokrovsk.",
            ),
        ]
    text = "\n\n".join(
        [
            *(f"{t.headline} {t.body}" for t in toplines),
            *takeaways,
            *(f"{s.title}\n\n{s.text}" for s in sections),
        ]
    )
    return Article(
        url=f"https://understandingwar.org/research/{ISW_PATHS[series]}/{slug}/",
        source="isw",
        title=f"{name}, {when}",
        series=series,
        published=day,
        published_time="19:15",
        time_zone="America/New_York",
        authors=["Analyst One", "Analyst Two"],
        toplines=toplines,
        key_takeaways=takeaways,
        sections=sections,
        maps=[
            MapImage(
                f"https://understandingwar.org/wp-content/uploads/{day:%Y/%m}/{slug}-map.webp",
                f"Assessed Control of Terrain, {when}",
            )
        ],
        endnotes=[
            "https://t.me/example_channel/1001 ; https://tass.example/politics/2001",
            "https://www.example.org/report-3002",
        ],
        text=text,
        html=html,
        extractor="isw",
    )


def mnd_article(day: dt.date, number: int, *, title: str = "", html: str = "") -> Article:
    """A Ministry of National Defense press release: Korean, HTML only, no structure."""
    body = html or (
        "<p>국방부는 오늘 국방정책 설명회를 열었다고 밝혔습니다.</p>"
        "<p>설명회에는 각 군 관계자가 참석했습니다.</p>"
    )
    return Article(
        url=f"https://www.korea.kr/briefing/pressReleaseView.do?newsId={156_000_000 + number}",
        source="mnd",
        title=title or f"국방부, {day.month}월 국방정책 설명회 개최 ({number})",
        series="mnd-press-release",
        published=day,
        language="ko",
        text="국방부는 오늘 국방정책 설명회를 열었다고 밝혔습니다.\n\n"
        "설명회에는 각 군 관계자가 참석했습니다.",
        html=body,
        extractor="korea-kr",
    )


def brief_fields(article: Article) -> dict[str, Any]:
    """A brief of a demo article: bullets tied to its takeaways, toplines and paragraphs."""
    if article.series == IRAN:
        return {
            "key_points": [
                {"text": "이란 당국은 새로운 핵 협상 제안을 거부했습니다.", "source_ref": "kt-1"},
                {"text": "이스라엘군은 시리아의 목표물을 타격했습니다.", "source_ref": "kt-2"},
                {"text": "이라크 민병대는 이라크 주둔 미군을 위협했습니다.", "source_ref": "kt-3"},
            ],
            "category": "이란 및 중동 정세",
            "countries": [
                {"iso2": "IR", "name_ko": "이란", "role": "협상 제안 거부"},
                {"iso2": "IL", "name_ko": "이스라엘", "role": "시리아 공습"},
                {"iso2": "SY", "name_ko": "시리아", "role": ""},
            ],
            "outlook": "ISW는 이란이 제재 해제 전에는 협상에 나서지 않을 것으로 평가합니다.",
        }
    if article.series == "mnd-press-release":
        return {
            "key_points": [
                {"text": "국방부가 국방정책 설명회를 열었습니다.", "source_ref": "p-1"},
                {"text": "각 군 관계자가 설명회에 참석했습니다.", "source_ref": "p-2"},
                {"text": "설명회는 정책 방향을 공유하는 자리였습니다.", "source_ref": "p-1"},
            ],
            "category": "국방부 정책 및 발표",
            "countries": [{"iso2": "KR", "name_ko": "대한민국", "role": "설명회 개최"}],
            "outlook": "국방부는 설명회를 계속 열 계획입니다.",
        }
    return {
        "key_points": [
            {
                "text": "우크라이나와 러시아 대표단이 이스탄불에서 만나 포로 교환에 합의했습니다.",
                "source_ref": "kt-1",
            },
            {"text": "러시아는 회담 전에 각서를 공유하지 않았습니다.", "source_ref": "kt-2"},
            {
                "text": "러시아군은 포크로우스크 부근에서 공격을 강화했습니다.",
                "source_ref": "top-2",
            },
            {
                "text": "지리 정보가 확인된 영상은 러시아군의 진격을 보여 줍니다.",
                "source_ref": "p-4",
            },
        ],
        "category": "러시아-우크라이나 전쟁 관련 군사 및 외교 동향",
        "countries": [
            {"iso2": "UA", "name_ko": "우크라이나", "role": "협상 당사국"},
            {"iso2": "RU", "name_ko": "러시아", "role": "협상 당사국"},
            {"iso2": "TR", "name_ko": "튀르키예", "role": "이스탄불 회담 개최"},
        ],
        "outlook": "ISW는 러시아가 협상을 늦추며 전장에서 더 많은 것을 얻으려 한다고 평가합니다.",
    }


def write_brief(
    report: Report,
    status: str = Brief.Status.VERIFIED,
    *,
    failures: list[dict[str, str]] | None = None,
    fields: dict[str, Any] | None = None,
) -> Brief:
    """Store a brief of the report's current revision, as ``briefs.services.store_result`` would."""
    article = report.article()
    assert article is not None and report.current_revision is not None
    data = fields or brief_fields(article)
    brief, _ = Brief.objects.get_or_create(
        revision=report.current_revision, defaults={"report": report}
    )
    brief.title_ko = ""
    brief.key_points = data["key_points"]
    brief.category = data["category"]
    brief.countries = data["countries"]
    brief.outlook = data["outlook"]
    brief.failures = failures or []
    brief.status = status
    brief.backend = "demo"
    brief.model = "demo"
    brief.input_tokens = 1200
    brief.output_tokens = 350
    brief.attempts = 1
    brief.updated_at = timezone.now()
    brief.save()
    return brief


def store(article: Article) -> Report:
    """Store ``article`` through the real store; its signal publishes the post after commit."""
    with transaction.atomic():
        result = store_article(article)
    return result.report


def seed_demo(days: int = 30, end: dt.date | None = None) -> int:
    """Demo posts for ``days`` days before ``end``: ROCA and Iran Update each day, a press release
    every third day; every brief verified except one waiting for review. Returns posts created.
    """
    end = end or timezone.localdate()
    before = Post.objects.count()
    for offset in range(days, 0, -1):
        day = end - dt.timedelta(days=offset)
        articles = [isw_article(day, ROCA), isw_article(day, IRAN)]
        if offset % 3 == 0:
            articles.append(mnd_article(day, offset))
        for article in articles:
            report = store(article)
            post = publish_report(report)  # done by the store's signal already; idempotent
            if post is not None and not post.is_demo:
                Post.objects.filter(pk=post.pk).update(is_demo=True)
            if offset == 1 and article.series == IRAN:
                write_brief(
                    report,
                    Brief.Status.NEEDS_REVIEW,
                    failures=[
                        {
                            "kind": "number",
                            "detail": "원문에 없는 수치: 2,000",
                            "field": "key_points",
                        }
                    ],
                )
            else:
                write_brief(report)
    return Post.objects.count() - before

"""Synthetic full-size ISW reports for the extraction benchmark.

:func:`make_isw_report` builds a new-site (WordPress) Russian Offensive Campaign Assessment with
the markup of ``tests/fixtures/pages/isw-russian-offensive-campaign-assessment-*.html`` at full
size: about 65,000 characters of report text in toplines, Key Takeaways and axis sections with
labelled fields, map blocks, about 100 endnotes with citation tooltips, and the page chrome
(cookie banner, navigation, breadcrumb, researchers, related research, footer). The prose is
generated from templates; the same ``i`` always gives the same page.
"""

from __future__ import annotations

import datetime as dt
import random
from html import escape
from pathlib import Path
from string import Template

BASE = "https://understandingwar.org"
# The page around the report: chrome as on the fixture pages, ``$name`` slots for the report.
PAGE = Template((Path(__file__).parent / "isw_report_template.html").read_text(encoding="utf-8"))
FIRST_DAY = dt.date(2025, 9, 1)

PLACES = (
    "Pokrovsk", "Myrnohrad", "Kostyantynivka", "Siversk", "Lyman", "Kupyansk", "Vovchansk",
    "Hulyaipole", "Orikhiv", "Chasiv Yar", "Toretsk", "Novopavlivka", "Velykomykhailivka",
    "Borova", "Kurakhove", "Dobropillia", "Rodynske", "Bilytske", "Druzhkivka", "Kramatorsk",
    "Sloviansk", "Stepnohirsk", "Kamianske", "Prymorske", "Kherson", "Zaporizhzhia", "Sumy",
    "Yunakivka", "Tyotkino", "Glushkovo", "Synkivka", "Petropavlivka", "Zvanivka", "Serebryanka",
    "Yampil",
)  # fmt: skip
OBLASTS = (
    "Donetsk", "Luhansk", "Kharkiv", "Zaporizhia", "Kherson", "Dnipropetrovsk", "Sumy", "Kursk",
    "Belgorod", "Bryansk",
)  # fmt: skip
SOURCES = (
    "The Ukrainian General Staff",
    "A Ukrainian brigade spokesperson",
    "A Russian milblogger",
    "The Russian Ministry of Defense",
    "A Ukrainian drone unit commander",
    "Geolocated footage published on {date}",
    "A Russian war correspondent",
    "Ukrainian military officials",
)
VERBS = (
    "reported that",
    "claimed that",
    "indicated that",
    "stated that",
    "assessed that",
)
CLAIMS = (
    "Russian forces advanced {n} kilometers {side} of {place} along a forest belt",
    "Russian forces conducted {n} assaults near {place} and {place2} over the past day",
    "Ukrainian forces repelled a reinforced platoon-sized mechanized assault near {place}",
    "Russian forces used motorcycles and light vehicles to infiltrate positions near {place}",
    "Russian drone operators struck Ukrainian logistics routes between {place} and {place2}",
    "Ukrainian forces struck a Russian ammunition depot near {place} in occupied {oblast} Oblast",
    "Russian forces launched {n} glide bombs against Ukrainian positions near {place}",
    "fog and rain limited drone reconnaissance near {place} for most of the day",
    "elements of the Russian {unit} continue to operate near {place}",
    "Ukrainian forces cleared Russian infiltration groups from the outskirts of {place}",
    "Russian forces are concentrating reserves east of {place} ahead of renewed attacks",
    "Ukrainian officials ordered the evacuation of {n} settlements near {place}",
)
ASSESSMENTS = (
    "ISW continues to assess that Russian forces are attempting to envelop {place} from the "
    "{side} rather than to seize it by frontal assault.",
    "These infiltration missions do not amount to control of terrain, and ISW has not observed "
    "evidence that Russian forces hold positions in {place}.",
    "The Kremlin likely intends to use gains near {place} to support its claims that Russian "
    "victory is inevitable and that Ukraine should concede territory in negotiations.",
    "Russian forces will likely continue to exploit poor weather to move infantry toward {place} "
    "in small groups in the coming weeks.",
    "ISW has observed a steady increase in Russian drone strikes against vehicles on roads "
    "leading to {place} since the start of {month}.",
)
UNITS = (
    "27th Motorized Rifle Division",
    "90th Tank Division",
    "1434th Motorized Rifle Regiment",
    "20th Combined Arms Army",
    "51st Combined Arms Army",
    "35th Motorized Rifle Brigade",
    "Rubikon Center for Advanced Unmanned Technologies",
    "76th Airborne Division",
)
AUTHORS = (
    "Mara Delgado",
    "Pavlo Hrytsenko",
    "Ines Whitcombe",
    "Jonah Feld",
    "Ruth Akande",
    "Caleb Moreno",
    "Lydia Marchetti",
    "Oren Halvorsen",
    "Beatrix Onwuka",
    "Silas Drummond",
)
DIRECTIONS = (
    "Kupyansk",
    "Borova",
    "Lyman",
    "Siversk",
    "Kramatorsk",
    "Toretsk",
    "Pokrovsk",
    "Novopavlivka",
    "Velykomykhailivka",
    "Hulyaipole",
)
SECTIONS = (
    ("ukr-ops", "Ukrainian Operations in the Russian Federation", 0),
    ("russian-ne", "Russian Supporting Effort: Northern Axis", 2),
    ("ru-me", "Russian Main Effort: Eastern Ukraine", 8),
    ("ru-south", "Russian Supporting Effort: Southern Axis", 2),
    ("air-campaign", "Russian Air, Missile, and Drone Campaign", 0),
    ("belarus", "Significant Activity in Belarus", 0),
)
ENDNOTE_DOMAINS = (
    "kremlin dot ru/events/president/news/{n}",
    "tass dot ru/politika/{n}",
    "ria dot ru/{ymd}/svodka-{n}.html",
    "mil dot ru/army/news/more.htm?id={n}",
    "https://t.me/mod_russia/{n}",
    "https://t.me/GeneralStaffZSU/{n}",
    "https://www.facebook.com/GeneralStaff.ua/posts/pfbid0{n}",
    "https://x.com/GeoConfirmed/status/19{n}",
    "https://suspilne.media/{n}-front-update/",
    "https://www.pravda.com.ua/news/{y}/{m}/{d}/{n}/",
)


class _Writer:
    """Sentences, paragraphs and endnotes for one report, from one seeded generator."""

    def __init__(self, i: int, day: dt.date) -> None:
        self.rnd = random.Random(i)
        self.day = day
        self.endnotes: list[str] = []

    def fill(self, template: str) -> str:
        rnd = self.rnd
        earlier = self.day - dt.timedelta(days=rnd.randint(0, 2))
        return template.format(
            place=rnd.choice(PLACES),
            place2=rnd.choice(PLACES),
            oblast=rnd.choice(OBLASTS),
            side=rnd.choice(("north", "south", "east", "west", "southwest", "northeast")),
            n=rnd.randint(2, 140),
            unit=rnd.choice(UNITS),
            date=f"{earlier:%B} {earlier.day}",
            month=f"{self.day:%B}",
        )

    def sentence(self) -> str:
        source = self.fill(self.rnd.choice(SOURCES))
        return f"{source} {self.rnd.choice(VERBS)} {self.fill(self.rnd.choice(CLAIMS))}."

    def mark(self) -> str:
        """An endnote mark with the citation tooltip that scrapes show inside paragraphs."""
        rnd, day = self.rnd, self.day
        number = len(self.endnotes) + 1
        sources = " ; ".join(
            rnd.choice(ENDNOTE_DOMAINS).format(
                n=rnd.randint(10_000, 99_999_999),
                ymd=f"{day:%Y%m%d}",
                y=day.year,
                m=f"{day.month:02d}",
                d=f"{day.day:02d}",
            )
            for _ in range(rnd.randint(1, 3))
        )
        self.endnotes.append(sources)
        return (
            f'<sup class="footnote"><a href="#endnote-{number}" id="ref-{number}">[{number}]</a>'
            f'<span class="footnote-tooltip" role="tooltip">[{number}] {escape(sources)}</span>'
            "</sup>"
        )

    def paragraph(self, sentences: int, lead: str = "") -> str:
        parts = [f"<strong>{escape(lead)}</strong>"] if lead else []
        for k in range(sentences):
            parts.append(escape(self.sentence()) + (self.mark() if k == sentences - 1 else ""))
        if self.rnd.random() < 0.5:
            parts.append(escape(self.fill(self.rnd.choice(ASSESSMENTS))))
        return "<p>" + " ".join(parts) + "</p>"

    def headline(self) -> str:
        return (
            self.fill(self.rnd.choice(CLAIMS)).capitalize() + f" on {self.day:%B} {self.day.day}."
        )

    def map_block(self, name: str, title: str) -> str:
        day = self.day
        src = f"{BASE}/wp-content/uploads/{day:%Y}/{day:%m}/{name}-{day:%B}-{day.day}-{day:%Y}.webp"
        return (
            '<div class="conflict-map-block"><a href="' + src + '" class="map-lightbox">'
            f'<img decoding="async" loading="lazy" src="{src}" alt="{escape(name)} map" '
            'width="1600" height="1200"></a></div>\n'
            f'<div class="conflict-map-title" data-map-title="{escape(title)}">'
            '<span class="map-enlarge">Click to enlarge</span></div>'
        )


def _toplines(w: _Writer) -> tuple[str, list[str]]:
    blocks: list[str] = []
    headlines: list[str] = []
    for t in range(6):
        headline = w.headline()
        headlines.append(headline)
        blocks.append(w.paragraph(5, lead=headline))
        for _ in range(3):
            blocks.append(w.paragraph(5))
        if t == 1:
            items = "".join(f"<li>{escape(w.sentence())}</li>" for _ in range(4))
            blocks.append(f"<p>{escape(w.sentence())}</p><ul>{items}</ul>")
        if t % 2 == 0:
            name = f"Topline-{t + 1}"
            place, day = w.rnd.choice(PLACES), w.day
            title = f"Assessed Control of Terrain near {place} as of {day:%B} {day.day}, {day:%Y}"
            blocks.append(w.map_block(name, title))
    return "\n".join(blocks), headlines


def _section(w: _Writer, key: str, title: str, directions: int) -> str:
    out = [f'<h2 class="wp-block-heading">{escape(title)}</h2>']
    for _ in range(3):
        out.append(w.paragraph(5))
    for d in range(directions):
        direction = DIRECTIONS[d % len(DIRECTIONS)]
        heading = f"Russian Subordinate Main Effort #{d + 1}: {direction} direction"
        out.append(f'<h3 class="wp-block-heading">{heading}</h3>')
        out.append(
            f"<p><strong>Russian objective:</strong> Capture {direction} and advance "
            f"toward {w.rnd.choice(PLACES)}.</p>"
        )
        out.append(
            f"<p><strong>Assessed Russian advances:</strong> {escape(w.sentence())}{w.mark()}</p>"
        )
        out.append(f"<p><strong>Unconfirmed claims:</strong> {escape(w.sentence())}</p>")
        for _ in range(3):
            out.append(w.paragraph(5))
        out.append(
            f"<p><strong>Order of Battle:</strong> Elements of the Russian {w.rnd.choice(UNITS)} "
            f"are operating in the {direction} direction.{w.mark()}</p>"
        )
        if d % 3 == 0:
            day = w.day
            out.append(
                w.map_block(
                    f"{direction}-Direction",
                    f"Assessed Control of Terrain in the {direction} Direction as of "
                    f"{day:%B} {day.day}, {day:%Y}",
                )
            )
    body = "\n".join(out)
    return (
        f'<div class="wp-block-isw-report-block report-section" id="{key}" data-id="{key}" '
        f'title="{escape(title)}">\n{body}\n</div>'
    )


def make_isw_report(i: int) -> tuple[str, str]:
    """(html, url) of synthetic full-size new-site ISW report number ``i``."""
    day = FIRST_DAY + dt.timedelta(days=i % 3650)
    date_text = f"{day:%B} {day.day}, {day:%Y}"
    slug = f"russian-offensive-campaign-assessment-{day:%B}-{day.day}-{day:%Y}".lower()
    url = f"{BASE}/research/russia-ukraine/{slug}/"
    title = f"Russian Offensive Campaign Assessment, {date_text}"
    w = _Writer(i, day)
    authors = w.rnd.sample(AUTHORS, 6)
    toplines, headlines = _toplines(w)
    takeaways = "".join(f"<li>{escape(h)}</li>" for h in headlines)
    takeaways += (
        f"<li>Ukrainian forces recently advanced near {w.rnd.choice(PLACES)}. Russian forces "
        f"recently advanced near {w.rnd.choice(PLACES)} and {w.rnd.choice(PLACES)}.</li>"
    )
    sections = "\n".join(_section(w, key, name, n) for key, name, n in SECTIONS)
    endnotes = "\n".join(
        f'<p id="endnote-{n}">[{n}] {escape(text)}</p>' for n, text in enumerate(w.endnotes, 1)
    )
    author_links = ", ".join(
        f'<a href="{BASE}/experts/{a.lower().replace(" ", "-")}/">{a}</a>' for a in authors
    )
    hour = 18 + i % 4
    html = PAGE.substitute(
        title=escape(title),
        url=url,
        iso=f"{day.isoformat()}T{hour}:{15 * (i % 4):02d}:00-05:00",
        date_text=date_text,
        authors=author_links,
        toplines=toplines,
        takeaways=takeaways,
        sections=sections,
        endnotes=endnotes,
        clock=f"{hour - 12}:{15 * (i % 4):02d} PM",
        post_id=40_000 + i,
        year=day.year,
    )
    return html, url

"""Synthetic full-size ISW reports for the extraction benchmark.

:func:`make_isw_report` builds a Russian Offensive Campaign Assessment on ISW's real WordPress
template (``shared/reference/markup/isw-wordpress-*.skeleton.txt``, as in
``tests/fixtures/pages/isw-wp-russian-offensive-campaign-assessment-*.html``) at full size: about
65,000 characters of report text in toplines, Key Takeaways and axis sections with labelled
fields, ``div.conflict-map-block`` maps, about 100 endnotes in the endnote accordion, and the
page chrome (tag cloud, jump menu, ``#nav-posts``, the right sidebar with the data cutoff,
researcher cards and related research, the lower related-research block, the footer). The prose
is generated from templates; the same ``i`` always gives the same page.
"""

from __future__ import annotations

import datetime as dt
import random
from html import escape
from pathlib import Path
from string import Template
from zoneinfo import ZoneInfo

BASE = "https://understandingwar.org"
# The page around the report: chrome as on the fixture pages, ``$name`` slots for the report.
PAGE = Template((Path(__file__).parent / "isw_report_template.html").read_text(encoding="utf-8"))
FIRST_DAY = dt.date(2025, 9, 1)
ET = ZoneInfo("America/New_York")

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
    (
        "ukrainian-operations-in-the-russian-federation",
        "Ukrainian Operations in the Russian Federation",
        0,
    ),
    ("russian-supporting-effort-northern-axis", "Russian Supporting Effort: Northern Axis", 2),
    ("russian-main-effort-eastern-ukraine ", "Russian Main Effort: Eastern Ukraine", 8),
    ("russian-supporting-effort-southern-axis", "Russian Supporting Effort: Southern Axis", 2),
    ("russian-air-missile-and-drone-campaign", "Russian Air, Missile, and Drone Campaign", 0),
    ("significant-activity-in-belarus", "Significant Activity in Belarus", 0),
)  # fmt: skip
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
        """An endnote mark: plain "[n]" text in the paragraph, as on the real pages."""
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
        return f"[{number}]"

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
        """A ``div.conflict-map-block`` linking to the map's page, then its title and id."""
        day = self.day
        src = f"{BASE}/wp-content/uploads/{day:%Y}/{day:%m}/{name}-{day:%B}-{day.day}-{day:%Y}.webp"
        link = f"{BASE}/map/{name}-{day:%B}-{day.day}-{day:%Y}/".lower()
        map_id = self.rnd.randint(100_000, 199_999)
        return (
            f'<div class="conflict-map-block"><a class="map-link" title="{escape(title)}" '
            f'href="{link}"><style>.map-link img{{cursor:zoom-in}}</style>'
            f"<script>window.iswMapZoom&&window.iswMapZoom({map_id});</script>"
            f'<img class="zoomable-image" alt="Map Thumbnail" src="{src}" '
            'style="width:100%;height:auto"></a></div>\n'
            f'<div class="conflict-map-title" data-map-title="{escape(title)}"></div>\n'
            f'<div class="conflict-map-id" data-map-id="{map_id}"></div>'
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
            blocks.append(f'<p>{escape(w.sentence())}</p><ul class="wp-block-list">{items}</ul>')
        if t % 2 == 0:
            name = f"Topline-{t + 1}"
            place, day = w.rnd.choice(PLACES), w.day
            title = f"Assessed Control of Terrain near {place} as of {day:%B} {day.day}, {day:%Y}"
            blocks.append(w.map_block(name, title))
    return "\n".join(blocks), headlines


def _section(w: _Writer, key: str, title: str, directions: int) -> str:
    out = [f'<h2 class="gb-text">{escape(title)}</h2>']
    for _ in range(3):
        out.append(w.paragraph(5))
    for d in range(directions):
        direction = DIRECTIONS[d % len(DIRECTIONS)]
        heading = f"Russian Subordinate Main Effort #{d + 1}: {direction} direction"
        out.append(f"<p><strong>{heading}</strong></p>")
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
    # The real pages' slugs may end in a space ("…-response "): the adapter strips it.
    element = f"gb-element-{len(key):08x}"
    return f'<div class="{element}" data-id="{key}" title="{escape(title)}">\n{body}\n</div>'


def _takeaway(text: str, n: int) -> str:
    return (
        f'<li class="has-main-white-color has-text-color has-link-color wp-elements-{n:032x}">'
        f"{escape(text)}</li>"
    )


def _researchers(authors: list[str]) -> str:
    """Researcher cards as in the sidebar: one card without a picture naming three people, then
    one card each (the adapter splits "A, B, and C")."""
    shared = f"{authors[0]}, {authors[1]}, and {authors[2]}"
    cards = [
        '<div class="researcher-card no-image no-link"><div class="researcher-thumbnail">'
        '<img alt="Staff Default Image" src="/wp-content/uploads/2025/06/Staff-Default-Image.webp">'
        f'</div><div class="researcher-info"><h3>{escape(shared)}</h3></div></div>'
    ]
    for name in authors[3:]:
        slug = name.lower().replace(" ", "-")
        cards.append(
            f'<div class="researcher-card"><a href="{BASE}/people/{slug}/">'
            '<div class="researcher-thumbnail"><img class="attachment-thumbnail size-thumbnail '
            f'zoomable-image wp-post-image" alt="{escape(name)}" '
            f'src="{BASE}/wp-content/uploads/2025/07/{slug}-150x150.webp"></div>'
            f'<div class="researcher-info"><h3>{escape(name)}</h3><span>Russia Analyst</span>'
            "</div></a></div>"
        )
    return "\n".join(cards)


def _related(day: dt.date, post_id: int) -> tuple[str, str]:
    """(sidebar items, lower cards) of "Related Research": the three reports before this one."""
    sidebar: list[str] = []
    cards: list[str] = []
    for back in (1, 2, 3):
        other = day - dt.timedelta(days=back)
        title = f"Russian Offensive Campaign Assessment, {other:%B} {other.day}, {other:%Y}"
        slug = f"russian-offensive-campaign-assessment-{other:%B}-{other.day}-{other:%Y}".lower()
        href = f"{BASE}/research/russia-ukraine/{slug}/"
        classes = f"post-{post_id - back} post type-post status-publish format-standard hentry"
        sidebar.append(
            f'<div class="gb-loop-item {classes}"><h4 class="gb-headline gb-headline-ba260fa8 '
            f'gb-headline-text"><a href="{href}">{title}</a></h4></div>'
        )
        cards.append(
            f'<div class="gb-loop-item research-card-loop-item {classes}">'
            '<div class="gb-container gb-container-069c877a research-card-full-width-content">'
            '<div class="gb-container gb-container-b7c0e31f research-card-type-label">'
            '<p class="gb-headline gb-headline-ad208426 gb-headline-text '
            'research-card-category-label"><span class="post-term-item term-update">Update</span>'
            '</p><p class="gb-headline gb-headline-b6bc12bf gb-headline-text '
            'research-card-post-date"><time class="entry-date published" '
            f'datetime="{other.isoformat()}T20:41:12-04:00">'
            f"{other:%b} {other:%d}, {other:%Y}</time>"
            '</p></div></div><div class="gb-container gb-container-9faefd6b '
            'research-card-padded-content"><div class="research-card-title-tags-wrapper">'
            '<h3 class="gb-headline gb-headline-92959fc6 gb-headline-text research-card-title">'
            f'<a href="{href}">{title}</a></h3></div></div></div>'
        )
    return "\n".join(sidebar), "\n".join(cards)


def _nav_posts(day: dt.date) -> str:
    links = []
    for css, rel, other, label in (
        ("previous btn-post-nav__prev", "prev", day - dt.timedelta(days=1), "Previous"),
        ("next btn-post-nav__next", "next", day + dt.timedelta(days=1), "Next"),
    ):
        slug = f"russian-offensive-campaign-assessment-{other:%B}-{other.day}-{other:%Y}".lower()
        links.append(
            f'<div class="post-navigation-link-{css} wp-block-post-navigation-link">'
            f'<a rel="{rel}" href="{BASE}/research/russia-ukraine/{slug}/">{label}</a></div>'
        )
    return (
        '<div class="gb-container gb-container-edaf36ae nav-posts" id="nav-posts">'
        + "".join(links)
        + "</div>"
    )


def make_isw_report(i: int) -> tuple[str, str]:
    """(html, url) of synthetic full-size ISW report number ``i`` on the real template."""
    day = FIRST_DAY + dt.timedelta(days=i % 3650)
    date_text = f"{day:%B} {day.day}, {day:%Y}"
    slug = f"russian-offensive-campaign-assessment-{day:%B}-{day.day}-{day:%Y}".lower()
    url = f"{BASE}/research/russia-ukraine/{slug}/"
    title = f"Russian Offensive Campaign Assessment, {date_text}"
    w = _Writer(i, day)
    authors = w.rnd.sample(AUTHORS, 6)
    toplines, headlines = _toplines(w)
    takeaways = [
        *headlines,
        f"Ukrainian forces recently advanced near {w.rnd.choice(PLACES)}. Russian forces "
        f"recently advanced near {w.rnd.choice(PLACES)} and {w.rnd.choice(PLACES)}.",
    ]
    sections = "\n".join(_section(w, key, name, n) for key, name, n in SECTIONS)
    endnotes = "\n".join(f"<p>[{n}] {escape(text)}</p>" for n, text in enumerate(w.endnotes, 1))
    # Posted between 19:00 and 22:45 ET: the late ones carry the next day's date in UTC.
    posted = dt.datetime(day.year, day.month, day.day, 19 + i % 4, 15 * (i % 4), tzinfo=ET)
    post_id = 140_000 + i
    related_sidebar, related_cards = _related(day, post_id)
    html = PAGE.substitute(
        title=escape(title),
        url=url,
        published_utc=posted.astimezone(dt.UTC).isoformat(timespec="seconds"),
        modified_utc=(posted + dt.timedelta(hours=9)).astimezone(dt.UTC).isoformat("T", "seconds"),
        uploader="Web Desk",
        date_text=date_text,
        nav_posts=_nav_posts(day),
        toplines=toplines,
        takeaways="".join(_takeaway(t, n) for n, t in enumerate(takeaways, 1)),
        sections=sections,
        endnotes=endnotes,
        cutoff=("12:00 PM", "2:00 PM")[i % 2],
        researchers=_researchers(authors),
        related_sidebar=related_sidebar,
        related_cards=related_cards,
        post_id=post_id,
        year=day.year,
    )
    return html, url

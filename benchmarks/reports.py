"""Generated mission-report *texts*, for driving the whole ingest pipeline.

    .venv/bin/python -m benchmarks.reports DIR --reports 10000 [--words 300] [--seed 1]

``benchmarks.extracted`` writes a graph straight into a store; this module
writes the reports such a graph would come from, as plain ``.txt`` files, so
reading, extraction and resolution all run on them. The world behind the
texts is drawn the same way and with the same calibration
(``benchmarks.extracted``: the Polya urns, ``NEW_HUB``, ``NEW_LEADER``,
``NEW_COMPANY``; ``benchmarks.synthetic``: the 30 countries with their
heavy-tailed weights and the 20 ISIC divisions): a delegation from one
country goes to another, led by a chamber, agency, commission or ministry
picked by preferential attachment, and meets bodies picked the same way, so a
few chambers and ministries are met in hundreds of reports while most firms
appear once. Every body keeps its name, city, sector and head from report
to report; what changes is how a report says it.

Three registers, chosen per report: press-release prose, an itinerary of
dated bullets, and meeting minutes. Each picks among several phrasings for
every fact, several date formats, short forms for long names, and pads to the
length asked for with context sentences (market figures, logistics,
follow-up) that name no new body. All text is assembled here from templates;
nothing is copied from an article. Deterministic: the same seed, count and
length give byte-identical files.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.extracted import NEW_COMPANY, NEW_HUB, NEW_LEADER, _Urn
from benchmarks.synthetic import COUNTRIES, SECTORS

REGISTERS = ("press", "itinerary", "minutes")
LOOSE = 0.45  # chance that a context sentence names a firm or person in passing

# name, adjective, cities, legal forms of a firm, name pool
_COUNTRY: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...], str]] = {
    "KZ": ("Kazakhstan", "Kazakh", ("Almaty", "Astana", "Shymkent", "Karaganda", "Aktobe"), ("LLP", "JSC"), "ca"),
    "BY": ("Belarus", "Belarusian", ("Minsk", "Gomel", "Brest", "Grodno", "Vitebsk"), ("OJSC", "LLC"), "ru"),
    "CN": ("China", "Chinese", ("Chongqing", "Shanghai", "Guangzhou", "Xi'an", "Chengdu", "Ningbo"),
           ("Co., Ltd.", "Group"), "cn"),
    "DE": ("Germany", "German", ("Hamburg", "Munich", "Stuttgart", "Leipzig", "Hanover"), ("GmbH", "AG"), "de"),
    "RU": ("Russia", "Russian", ("Kazan", "Novosibirsk", "Yekaterinburg", "Samara"), ("LLC", "JSC"), "ru"),
    "UZ": ("Uzbekistan", "Uzbek", ("Tashkent", "Samarkand", "Namangan", "Bukhara"), ("LLC", "JSC"), "ca"),
    "TR": ("Turkey", "Turkish", ("Istanbul", "Izmir", "Bursa", "Ankara", "Gaziantep"), ("A.S.", "Ltd. Sti."), "tr"),
    "PL": ("Poland", "Polish", ("Warsaw", "Poznan", "Lodz", "Gdansk", "Wroclaw"), ("Sp. z o.o.", "S.A."), "pl"),
    "IN": ("India", "Indian", ("Mumbai", "Chennai", "Pune", "Ahmedabad", "Bengaluru"), ("Pvt. Ltd.", "Ltd."), "in"),
    "AE": ("the United Arab Emirates", "Emirati", ("Dubai", "Abu Dhabi", "Sharjah"), ("LLC", "FZE"), "ar"),
    "VN": ("Vietnam", "Vietnamese", ("Hanoi", "Ho Chi Minh City", "Da Nang", "Hai Phong"), ("JSC", "Co., Ltd."), "vn"),
    "BR": ("Brazil", "Brazilian", ("Sao Paulo", "Curitiba", "Porto Alegre", "Recife"), ("S.A.", "Ltda."), "pt"),
    "EG": ("Egypt", "Egyptian", ("Cairo", "Alexandria", "Port Said", "Giza"), ("S.A.E.", "LLC"), "ar"),
    "ZA": ("South Africa", "South African", ("Johannesburg", "Durban", "Cape Town", "Pretoria"),
           ("(Pty) Ltd", "Ltd"), "en"),
    "ID": ("Indonesia", "Indonesian", ("Jakarta", "Surabaya", "Bandung", "Semarang"), ("PT", "Tbk"), "id"),
    "FR": ("France", "French", ("Lyon", "Marseille", "Toulouse", "Lille", "Nantes"), ("SAS", "SA"), "fr"),
    "IT": ("Italy", "Italian", ("Milan", "Turin", "Bologna", "Verona", "Naples"), ("S.p.A.", "S.r.l."), "it"),
    "US": ("the United States", "American", ("Chicago", "Houston", "Atlanta", "Seattle", "Detroit"),
           ("Inc.", "LLC"), "en"),
    "GB": ("the United Kingdom", "British", ("Manchester", "Birmingham", "Leeds", "Glasgow"), ("Ltd", "plc"), "en"),
    "JP": ("Japan", "Japanese", ("Osaka", "Nagoya", "Yokohama", "Fukuoka"), ("Co., Ltd.", "Corporation"), "jp"),
    "KR": ("South Korea", "Korean", ("Seoul", "Busan", "Incheon", "Daegu", "Ulsan"), ("Co., Ltd.", "Corp."), "kr"),
    "MN": ("Mongolia", "Mongolian", ("Ulaanbaatar", "Darkhan", "Erdenet"), ("LLC", "JSC"), "ca"),
    "GE": ("Georgia", "Georgian", ("Tbilisi", "Batumi", "Kutaisi", "Poti"), ("LLC", "JSC"), "ru"),
    "AZ": ("Azerbaijan", "Azerbaijani", ("Baku", "Ganja", "Sumgait"), ("LLC", "OJSC"), "ca"),
    "KG": ("Kyrgyzstan", "Kyrgyz", ("Bishkek", "Osh", "Karakol"), ("LLC", "OJSC"), "ca"),
    "TJ": ("Tajikistan", "Tajik", ("Dushanbe", "Khujand", "Bokhtar"), ("LLC", "OJSC"), "ca"),
    "HU": ("Hungary", "Hungarian", ("Budapest", "Debrecen", "Szeged", "Gyor"), ("Kft.", "Zrt."), "hu"),
    "RS": ("Serbia", "Serbian", ("Belgrade", "Novi Sad", "Nis", "Kragujevac"), ("d.o.o.", "a.d."), "ru"),
    "SA": ("Saudi Arabia", "Saudi", ("Riyadh", "Jeddah", "Dammam"), ("Company", "LLC"), "ar"),
    "NG": ("Nigeria", "Nigerian", ("Lagos", "Abuja", "Kano", "Port Harcourt"), ("Ltd", "Plc"), "en"),
}
assert set(_COUNTRY) == set(COUNTRIES)

_PEOPLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ca": (("Aigerim", "Nurlan", "Dana", "Yerlan", "Madina", "Timur", "Zarina", "Bakyt", "Saule", "Ruslan",
            "Aliya", "Daulet", "Gulnara", "Askar"),
           ("Sadykova", "Bekov", "Omarov", "Tulegenova", "Abenov", "Ismailova", "Zhakupov", "Karimov",
            "Nurmagambetova", "Yusupov", "Aliyev", "Rakhimova", "Seitkali", "Mamyrov")),
    "ru": (("Alexei", "Olga", "Sergei", "Natalia", "Dmitry", "Irina", "Viktor", "Elena", "Pavel", "Tatiana",
            "Andrei", "Svetlana"),
           ("Ivanov", "Petrova", "Kovalenko", "Sidorov", "Morozova", "Volkov", "Lebedeva", "Novik", "Zhuk",
            "Orlova", "Gusev", "Belova")),
    "cn": (("Liang", "Zhou", "Wang", "Li", "Chen", "Tang", "Xu", "Zhang", "Liu", "Yang", "Huang", "Zhao"),
           ("Wenbo", "Min", "Hao", "Jing", "Lei", "Yan", "Qiang", "Fang", "Jun", "Xiaoling", "Tao", "Mei")),
    "de": (("Anna", "Jonas", "Katrin", "Matthias", "Sabine", "Thomas", "Julia", "Stefan", "Birgit", "Lukas"),
           ("Becker", "Hoffmann", "Schulz", "Wagner", "Krause", "Richter", "Neumann", "Braun", "Vogel", "Lange")),
    "tr": (("Ayse", "Mehmet", "Elif", "Emre", "Zeynep", "Burak", "Selin", "Murat"),
           ("Yilmaz", "Kaya", "Demir", "Sahin", "Celik", "Aydin", "Ozturk", "Arslan")),
    "pl": (("Agnieszka", "Piotr", "Katarzyna", "Tomasz", "Magdalena", "Marek", "Joanna", "Pawel"),
           ("Nowak", "Kowalska", "Wisniewski", "Zielinska", "Lewandowski", "Wojcik", "Kaminska", "Mazur")),
    "in": (("Priya", "Rahul", "Anjali", "Vikram", "Sunita", "Arjun", "Kavita", "Rohan"),
           ("Sharma", "Iyer", "Patel", "Reddy", "Nair", "Gupta", "Mehta", "Rao")),
    "ar": (("Ahmed", "Fatima", "Omar", "Layla", "Khalid", "Noura", "Youssef", "Mariam"),
           ("Al Mansouri", "Hassan", "El Sayed", "Al Harbi", "Farouk", "Nasser", "Al Qasimi", "Mostafa")),
    "vn": (("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui"),
           ("Van An", "Thi Lan", "Minh Duc", "Thu Ha", "Quoc Bao", "Thanh Hai", "Ngoc Anh", "Hong Son")),
    "pt": (("Ana", "Joao", "Mariana", "Rafael", "Beatriz", "Lucas", "Camila", "Thiago"),
           ("Silva", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Ferreira", "Ribeiro")),
    "en": (("Sarah", "James", "Thandi", "Michael", "Emily", "David", "Grace", "Peter", "Laura", "Samuel"),
           ("Mokoena", "Walker", "Adeyemi", "Thompson", "Okafor", "Bennett", "Naidoo", "Harris", "Clarke",
            "Evans")),
    "id": (("Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri"),
           ("Santoso", "Wulandari", "Hidayat", "Saputra", "Lestari", "Kurniawan")),
    "fr": (("Claire", "Julien", "Sophie", "Nicolas", "Camille", "Antoine", "Elodie", "Mathieu"),
           ("Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Girard", "Fontaine", "Rousseau")),
    "it": (("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Elena", "Davide"),
           ("Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Conti")),
    "jp": (("Haruto", "Yui", "Kenji", "Aiko", "Takeshi", "Naomi", "Hiroshi", "Emi"),
           ("Tanaka", "Suzuki", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Sato")),
    "kr": (("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Dong-hyun", "Su-bin", "Jae-won", "Yu-na"),
           ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon")),
    "hu": (("Zsofia", "Balazs", "Eszter", "Gabor", "Reka", "Laszlo"),
           ("Nagy", "Kovacs", "Toth", "Szabo", "Horvath", "Varga")),
}
_FAMILY_FIRST = {"cn", "vn", "kr"}

# ISIC division -> how reports name the trade (several forms each)
_SECTOR_WORDS: dict[str, tuple[str, ...]] = {
    "01": ("agriculture", "farm produce", "grain"), "10": ("food processing", "dairy products", "meat processing"),
    "13": ("textiles", "cotton yarn", "fabrics"), "20": ("chemicals", "fertilisers", "paints and coatings"),
    "21": ("pharmaceuticals", "medicines", "generic drugs"), "22": ("plastics", "rubber products", "packaging"),
    "24": ("steel", "metallurgy", "aluminium"), "25": ("metal products", "fasteners", "steel structures"),
    "26": ("electronics", "computer hardware", "sensors"), "27": ("electrical equipment", "cables", "transformers"),
    "28": ("machinery", "agricultural machinery", "machine tools"), "29": ("auto parts", "vehicles", "trucks"),
    "30": ("railway equipment", "rolling stock", "shipbuilding"), "35": ("energy", "solar power", "power generation"),
    "45": ("car dealerships", "vehicle repair", "spare parts trade"), "46": ("wholesale trade", "distribution",
                                                                           "import and export"),
    "47": ("retail", "supermarkets", "e-commerce"), "49": ("logistics", "freight transport", "rail freight"),
    "52": ("warehousing", "cold storage", "freight forwarding"), "62": ("software", "IT services",
                                                                      "fintech"),
}
_MINISTRIES = ("Trade and Integration", "Industry", "Economy", "Agriculture", "Foreign Affairs", "Energy",
               "Transport", "Investment and Development", "Digital Development", "Finance")
_SYLLABLES = ("ka", "ra", "to", "vel", "mar", "no", "tek", "sar", "lin", "dor", "via", "zen", "pro", "al", "tan",
              "gor", "mi", "sta", "ber", "kon", "ri", "dal", "ven", "os", "ter", "lux", "nor", "avi", "el", "ton")
_FIRM_WORDS = ("Holding", "Industries", "Trading", "Systems", "Works", "Technologies", "Group", "Logistics",
               "Solutions", "Manufacturing", "Export", "Partners")
_TITLES = {
    "ministry": ("minister", "deputy minister", "first deputy minister", "head of the trade department"),
    "chamber": ("chairman", "president", "vice-chairwoman", "deputy chairman of the board"),
    "agency": ("director", "chief executive", "head of the export department"),
    "commission": ("director", "deputy director", "head"),
    "diplomatic": ("ambassador", "trade counsellor", "consul general", "commercial attache"),
    "park": ("general director", "head of investor relations", "managing director"),
}
_TITLES_FIRM = ("general manager", "export director", "chief executive", "sales director", "founder",
                "head of international sales", "commercial director")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_NUMBER_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


@dataclass
class _Person:
    name: str
    title: str

    @property
    def surname(self) -> str:
        return self.name.split()[-1]


@dataclass
class _Org:
    name: str
    short: str | None
    kind: str
    country: str
    city: str
    sector: str
    head: _Person
    reports: int = 0  # how many reports named it so far


@dataclass
class _Day:
    date: tuple[int, int, int]
    city: str
    lines: list[str] = field(default_factory=list)


class World:
    """The bodies, places and people reports are written about; grows as
    reports are drawn, by the urns of ``benchmarks.extracted``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.hubs: dict[str, _Urn] = defaultdict(lambda: _Urn(NEW_HUB))
        self.leaders: dict[str, _Urn] = defaultdict(lambda: _Urn(NEW_LEADER))
        self.companies: dict[str, _Urn] = defaultdict(lambda: _Urn(NEW_COMPANY))
        self.names: set[str] = set()
        self.country_weight = [1.0 / (i + 1) ** 0.8 for i in range(len(COUNTRIES))]

    def person(self, cc: str, title: str) -> _Person:
        firsts, lasts = _PEOPLE.get(_COUNTRY[cc][4], _PEOPLE["en"])
        a, b = self.rng.choice(firsts), self.rng.choice(lasts)
        return _Person(f"{a} {b}", title)

    def _unique(self, make: Callable[[], tuple[str, str | None]]) -> tuple[str, str | None]:
        for _ in range(40):
            name, short = make()
            if name not in self.names:
                self.names.add(name)
                return name, short
        # The combinations of a small country run out: a made-up firm name is always new.
        name = f"{self._coined()} {self.rng.choice(_FIRM_WORDS)} {len(self.names)}"
        self.names.add(name)
        return name, None

    def _coined(self) -> str:
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.randint(2, 3))).capitalize()

    def _hub_name(self, kind: str, cc: str) -> tuple[str, str | None]:
        country, adj, cities, _, _ = _COUNTRY[cc]
        city = self.rng.choice(cities)
        r = self.rng
        sector = r.choice(_SECTOR_WORDS[r.choice(SECTORS)])
        if kind == "chamber":
            return r.choice([
                (f"Chamber of Commerce and Industry of {country}", "the Chamber"),
                (f"{city} Chamber of Commerce", None),
                (f"{adj} Chamber of Entrepreneurs", "the Chamber"),
                (f"{city} Regional Chamber of Industry", None),
                (f"{adj} Association of {sector.title()} Producers", None),
                (f"{adj} Union of {sector.title()} Exporters", None),
            ])
        if kind == "ministry":
            portfolio = r.choice(_MINISTRIES)
            return (f"Ministry of {portfolio} of {country}", f"the Ministry of {portfolio}")
        if kind == "agency":
            return r.choice([
                (f"{adj} Export Promotion Agency", None),
                (f"{adj} Investment Agency", None),
                (f"{city} Investment Promotion Centre", None),
                (f"{adj} Agency for {sector.title()} Development", None),
            ])
        if kind == "commission":
            return r.choice([
                (f"{city} Municipal Commission of Commerce", "the commission"),
                (f"{city} Committee for Foreign Economic Relations", "the committee"),
                (f"{city} Development and Reform Commission", "the commission"),
            ])
        if kind == "diplomatic":
            foreign = _COUNTRY[r.choice([c for c in COUNTRIES if c != cc])][0]
            return r.choice([
                (f"Embassy of {foreign} in {country}", "the embassy"),
                (f"Trade Representation of {foreign} in {country}", None),
                (f"Consulate General of {foreign} in {city}", None),
            ])
        # park
        return r.choice([
            (f"{city} Industrial Park", "the park"),
            (f"{city} Free Economic Zone", "the zone"),
            (f"{city} Technology Park", "the park"),
            (f"{city} Logistics Hub", None),
        ])

    def _firm_name(self, kind: str, cc: str, sector: str) -> tuple[str, str | None]:
        legal = self.rng.choice(_COUNTRY[cc][3])
        coined = self._coined()
        if kind == "media":
            return (f"{coined} {self.rng.choice(['Business News', 'Trade Journal', 'Daily'])}", None)
        if kind == "other":
            return (f"{coined} Foundation for Trade", None)
        word = self.rng.choice(_SECTOR_WORDS[sector]).split()[-1].title()
        full = f"{coined} {word} {legal}" if legal != "PT" else f"PT {coined} {word}"
        return (full, coined) if self.rng.random() < 0.5 else (full, None)

    def body(self, urn: _Urn, kinds: tuple[str, ...], cc: str, *, hub: bool) -> _Org:
        found = urn.pick(self.rng)
        if found is not None:
            urn.add(found)
            return found  # type: ignore[return-value]  # the urn holds _Org here
        kind = self.rng.choice(kinds)
        sector = self.rng.choice(SECTORS)
        name, short = self._unique(lambda: self._hub_name(kind, cc) if hub else self._firm_name(kind, cc, sector))
        city = self.rng.choice(_COUNTRY[cc][2])
        head = self.person(cc, self.rng.choice(_TITLES.get(kind, _TITLES_FIRM)))
        org = _Org(name, short, kind, cc, city, sector, head)
        urn.add(org)  # type: ignore[arg-type]
        return org


def _the(org: _Org) -> str:
    """How running text names a body: "the Ministry of Energy of Brazil",
    "Karatau Machinery LLP"."""
    return org.name if org.kind in _OTHER_KINDS else f"the {org.name}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _date(rng: random.Random, d: tuple[int, int, int], style: int) -> str:
    y, m, day = d
    if style == 0:
        return f"{day} {_MONTHS[m - 1]} {y}"
    if style == 1:
        return f"{_MONTHS[m - 1]} {day}, {y}"
    return f"{y}-{m:02d}-{day:02d}"


def _next_day(d: tuple[int, int, int], k: int) -> tuple[int, int, int]:
    y, m, day = d
    day += k
    while day > 28:
        day -= 28
        m += 1
        if m > 12:
            m, y = 1, y + 1
    return (y, m, day)


class _Writer:
    """One report: the facts drawn, then said in one register."""

    def __init__(self, world: World, rng: random.Random, n: int, words: int, start_year: int, years: int,
                 total: int) -> None:
        self.w, self.rng = world, rng
        r = rng
        # Reports come in date order across the years, as an archive would.
        day = int(years * 336 * n / max(1, total)) + r.randrange(28)
        self.start = (start_year + day // 336, 1 + (day % 336) // 28, 1 + day % 28)
        home, cc = r.choices(COUNTRIES, world.country_weight, k=2)
        if cc == home:
            cc = r.choice(COUNTRIES)
        self.home, self.cc = home, cc
        self.sector = r.choice(SECTORS)
        self.scale = max(1, round(words / 300))
        self.lead = world.body(world.leaders[home], ("chamber", "agency", "commission", "ministry"), home, hub=True)
        members = [world.body(world.companies[home], _OTHER_KINDS, home, hub=False)
                   for _ in range(r.randint(1, 3) + r.randint(0, 2 * (self.scale - 1)))]
        self.members = list({id(o): o for o in members}.values())
        self.met: list[_Org] = []
        for _ in range(r.randint(2, 4) * self.scale):
            if r.random() < 0.4:
                self.met.append(world.body(world.hubs[cc], _HUB_KINDS, cc, hub=True))
            else:
                self.met.append(world.body(world.companies[cc], _OTHER_KINDS, cc, hub=False))
        self.met = list({id(o): o for o in self.met}.values())  # a body met twice is named once
        self.delegates = [world.person(home, r.choice(_TITLES_FIRM)) for _ in self.members]
        self.date_style = r.randrange(3)
        self.words = words
        self.fair = (f"{r.choice(['Expo', 'Trade Fair', 'Forum', 'Industry Week'])} {self.start[0]}"
                     if r.random() < 0.3 else None)
        self.next_cc = r.choice(COUNTRIES) if r.random() < 0.3 else None
        self.fillers: list[int] = []
        self.signed: list[tuple[_Org, _Org, str]] = []
        for c in self.met:
            if r.random() < 0.25:
                what = r.choice(["a memorandum of understanding", "a supply contract", "a cooperation agreement",
                                 "a letter of intent", "a distribution agreement"])
                self.signed.append((r.choice(self.members), c, what))

    # --- naming ---------------------------------------------------------------

    def name(self, org: _Org, seen: set[int], *, intro: bool = False) -> str:
        """The full name the first time a report names a body (with where it
        is and what it does, the first time any report names it, when
        ``intro``), sometimes a short form after that; "the" before the name
        of a public body."""
        if id(org) not in seen:
            seen.add(id(org))
            org.reports += 1
            name = _the(org)
            if intro and (org.reports == 1 or self.rng.random() < 0.15):
                name += self.rng.choice([
                    f", a {self.rng.choice(_SECTOR_WORDS[org.sector])} company based in {org.city},",
                    f" ({org.city}), which works in {self.rng.choice(_SECTOR_WORDS[org.sector])},",
                ]) if org.kind in _OTHER_KINDS else f" in {org.city}"
            return name
        if org.short and self.rng.random() < 0.6:
            return org.short
        return _the(org)

    def country(self, cc: str) -> str:
        return _COUNTRY[cc][0]

    def trade(self) -> str:
        return self.rng.choice(_SECTOR_WORDS[self.sector])

    def when(self, d: tuple[int, int, int]) -> str:
        return _date(self.rng, d, self.date_style)

    def filler(self) -> str:
        """A context sentence that names no body; none twice in a row of
        the templates' cycle."""
        texts = self._fillers()
        if not self.fillers:
            self.fillers = self.rng.sample(range(len(texts)), len(texts))
        text = texts[self.fillers.pop()]
        if self.rng.random() < LOOSE:
            return f"{self.loose()} {text}"
        return text

    def loose(self) -> str:
        """A sentence naming a firm or a person in passing, in no relation
        the report states (``benchmarks.extracted.LOOSE_ENTITIES``)."""
        r, w = self.rng, self.w
        cc = r.choice((self.cc, self.cc, self.home))
        firm = w._firm_name("enterprise", cc, r.choice(SECTORS))[0]
        person = w.person(cc, r.choice(_TITLES_FIRM)).name
        return r.choice([
            f"{firm} also sent a representative.",
            f"{person} spoke about the experience of {_COUNTRY[cc][1]} suppliers.",
            f"Among the guests was {person}.",
            f"{firm} showed its products at the same venue.",
            f"A presentation by {person} followed.",
            f"{firm} was mentioned as a possible buyer.",
        ])

    def _fillers(self) -> list[str]:
        r = self.rng
        home, cc = self.country(self.home), self.country(self.cc)
        adj_home, adj_cc = _COUNTRY[self.home][1], _COUNTRY[self.cc][1]
        trade = self.trade()
        pct, year = r.randint(3, 48), self.start[0] - 1
        return [
            f"Trade in {trade} between {home} and {cc} grew by {pct} per cent in {year}, according to customs data.",
            f"{adj_cc} buyers said that delivery times, not prices, decide most orders for {trade}.",
            "Participants discussed certification requirements and the documents needed at the border.",
            "Several firms asked about payment terms, letters of credit and export insurance.",
            f"The {adj_home} side presented a catalogue of {trade} suppliers ready to ship within {pct} days.",
            f"Rail and road freight between the two countries takes between {r.randint(6, 20)} and "
            f"{r.randint(21, 40)} days.",
            f"Both sides noted that demand for {trade} in {cc} is expected to rise over the next "
            f"{r.choice(_NUMBER_WORDS[:5])} years.",
            "Questions were raised about tariffs, local content rules and after-sales service.",
            f"{adj_cc} distributors showed interest in joint warehousing and shared showrooms.",
            "The exchange of contacts continued over a working lunch.",
            "A follow-up video call was proposed for the coming month to review progress.",
            f"The market for {trade} in {cc} was estimated at about {r.randint(50, 900)} million US dollars.",
            "Smaller firms asked for help with translation of technical documentation.",
            f"Samples of {trade} were shown and discussed in detail.",
            f"Prices for {trade} in {cc} have been volatile since {year - r.randint(1, 4)}.",
            f"The {adj_cc} hosts explained how public tenders are announced and evaluated.",
            f"Most of the {adj_home} companies were visiting {cc} for the first time.",
            "Some participants had already exported small volumes through intermediaries.",
            f"A shared price list in {r.choice(['English', 'Russian', 'both languages'])} was requested.",
            "The discussion also covered standards for labelling and packaging.",
            "Both sides agreed that regular contact between business associations helps smaller exporters.",
            "Financing of joint projects through development banks was mentioned as an option.",
            f"{adj_cc} importers currently buy most of their {trade} from {r.randint(2, 5)} foreign suppliers.",
            "Visa procedures for business travellers were described as a practical obstacle.",
            "The participants exchanged views on warranty obligations and spare parts supply.",
            "A report on the results of the visit will be shared with all participants.",
        ]

    def pad(self, parts: list[str], joiner: Callable[[list[str]], str], make: Callable[[], str]) -> None:
        while len(joiner(parts).split()) < self.words:
            parts.append(make())

    def person_of(self, p: _Person, org: _Org, seen: set[int]) -> str:
        return self.rng.choice([f"{p.name}, {p.title} of {self.name(org, seen)}",
                                f"{_cap(p.title) if self.rng.random() < 0.3 else p.title} {p.name} "
                                f"of {self.name(org, seen)}"]) if self.rng.random() < 0.5 else \
            f"{p.name}, {p.title} of {self.name(org, seen)}"

    # --- registers -----------------------------------------------------------

    def press(self) -> str:
        r, seen = self.rng, set[int]()
        lead, cc = self.lead, self.country(self.cc)
        title = r.choice([
            f"{_COUNTRY[self.home][1]} {self.trade()} companies explore the market of {cc}",
            f"Business mission to {cc} opens new contacts for {self.trade()} exporters",
            f"Delegation of the {lead.name} visits {cc}",
            f"{cc}: new partners for {_COUNTRY[self.home][1]} {self.trade()} firms",
        ])
        days = r.randint(3, 7)
        head = f"{title}\n\n{lead.name} | {r.choice(['News', 'Press release', 'Announcements'])}\n" \
               f"{self.when(self.start)}\n"
        lead_name = self.name(lead, seen)
        paras = [
            r.choice([
                f"A business delegation led by {lead_name} travelled to {cc} from {self.when(self.start)} "
                f"on a {_NUMBER_WORDS[days - 2]}-day trade mission focused on {self.trade()}.",
                f"{_cap(lead_name)} organised a trade mission to {cc}, which began on {self.when(self.start)} "
                f"and brought together companies working in {self.trade()}.",
                f"On {self.when(self.start)} a delegation of {lead_name} set off for {cc} to look for "
                f"partners in {self.trade()}.",
            ]) + " " + r.choice([
                f"The delegation was headed by {self.person_of(lead.head, lead, seen)}.",
                f"{lead.head.name}, {lead.head.title}, headed the delegation.",
            ]),
        ]
        names = [self.name(m, seen, intro=True) for m in self.members]
        members = ", ".join(names[:-1])
        paras.append((f"Members of the delegation included {members} and {names[-1]}." if members
                      else f"{_cap(names[-1])} took part in the mission.") + "".join(
            f" {self.person_of(p, m, seen)}, travelled with the group." for p, m in zip(
                self.delegates, self.members, strict=True) if r.random() < 0.5))
        d = _next_day(self.start, 1)
        city = r.choice(_COUNTRY[self.cc][2])
        paras.append(r.choice([f"The delegation arrived in {city} on {self.when(d)}.",
                               f"The programme started in {city} on {self.when(d)}."]))
        for c in self.met:
            cn = self.name(c, seen, intro=True)
            sentence = r.choice([
                f"On {self.when(d)} the delegation met with {cn}.",
                f"The delegation held talks with {cn}.",
                f"Talks with {cn} followed, on {self.trade()} and on joint projects.",
                f"Later, members of the delegation visited {cn}, where {c.head.name}, {c.head.title}, "
                f"received them.",
                f"{c.head.name}, {c.head.title} of {cn}, received the delegation.",
                f"{_cap(cn)} hosted a round table for the delegation.",
            ])
            extra = [self.filler()] if r.random() < 0.4 else []
            paras.append(" ".join([_cap(sentence), *extra]))
            d = _next_day(d, r.randint(0, 1))
        for m, c, what in self.signed:
            paras.append(_cap(r.choice([f"{self.name(m, seen)} signed {what} with {self.name(c, seen)}.",
                                        f"{_cap(what)} was signed between {self.name(m, seen)} and "
                                        f"{self.name(c, seen)}."])))
        if self.fair:
            paras.append(f"The delegation also took part in {cc} {self.trade().title()} {self.fair} in {city}.")
        if self.next_cc:
            paras.append(_cap(f"{self.name(lead, seen)} plans a return visit and a mission to "
                              f"{self.country(self.next_cc)} next year."))
        fixed = len(paras)
        while len((head + " ".join(paras)).split()) < self.words:
            # Context goes into the paragraphs already there, now and then a new one.
            k = r.randrange(1, fixed + 1)
            if k < fixed:
                paras[k] += " " + self.filler()
            elif len(paras) > fixed and r.random() < 0.7:
                paras[-1] += " " + self.filler()
            else:
                paras.append(self.filler())
        return head + "\n" + "\n\n".join(paras) + "\n"

    def itinerary(self) -> str:
        r, seen = self.rng, set[int]()
        cc = self.country(self.cc)
        head = (f"Programme of the {_COUNTRY[self.home][1]} business mission to {cc}\n"
                f"Organiser: {self.lead.name}\n"
                f"Head of delegation: {self.lead.head.name}, {self.lead.head.title}\n"
                f"Sector: {self.trade()}\n\n"
                "Participants:\n"
                + "".join(f"- {m.name}" + (f" ({p.name}, {p.title})" if r.random() < 0.6 else "")
                          + "\n" for m, p in zip(self.members, self.delegates, strict=True))
                + "\n")
        seen.update(id(o) for o in (self.lead, *self.members))
        days: list[_Day] = []
        d = self.start
        for i, c in enumerate(self.met):
            if i == 0 or r.random() < 0.5:
                days.append(_Day(d, r.choice(_COUNTRY[self.cc][2])))
                d = _next_day(d, 1)
            cn = c.name if id(c) not in seen else (c.short or c.name)
            seen.add(id(c))
            days[-1].lines.append(r.choice([
                f"{r.randint(9, 17)}:00 Meeting with {cn}",
                f"{r.randint(9, 17)}:30 Visit to {cn}; talks with {c.head.name}, {c.head.title}",
                f"Business meeting at {cn} on {self.trade()}",
                f"B2B talks with {cn}",
                f"{r.randint(9, 17)}:00 Round table at {cn}, {c.city}",
            ]))
            for m, c2, what in self.signed:
                if c2 is c:
                    days[-1].lines.append(f"Signing of {what} between {m.name} and {cn}")
        if self.fair:
            days[-1].lines.append(f"Visit to {self.trade().title()} {self.fair}, {days[-1].city}")
        for day in days:
            if r.random() < 0.4:
                day.lines.append(r.choice(["Working lunch with local partners", "Transfer to the hotel",
                                           "Site visit and product presentation", "Debriefing of the delegation"]))

        def render(notes: list[str]) -> str:
            out = [head]
            for k, day in enumerate(days, 1):
                out.append(f"Day {k}, {self.when(day.date)} ({day.city})\n"
                           + "".join(f"- {line}\n" for line in day.lines))
            if self.next_cc:
                out.append(f"Next steps: {self.lead.short or _the(self.lead)} to prepare a visit to "
                           f"{self.country(self.next_cc)}.\n")
            if notes:
                out.append("Notes:\n" + "".join(f"- {n}\n" for n in notes))
            return "\n".join(out)

        notes: list[str] = []
        self.pad(notes, render, self.filler)
        return render(notes)

    def minutes(self) -> str:
        r, seen = self.rng, set[int]()
        cc = self.country(self.cc)
        counterpart = self.met[0]
        city = counterpart.city
        head = (f"Minutes of the meeting between the delegation of {_the(self.lead)} and {_the(counterpart)}\n\n"
                f"Date: {self.when(self.start)}\nVenue: {city}, {cc}\n\n")
        seen.update((id(self.lead), id(counterpart)))
        present = [f"- {self.lead.head.name}, {self.lead.head.title}, {self.lead.name}",
                   f"- {counterpart.head.name}, {counterpart.head.title}, {counterpart.name}"]
        present += [f"- {p.name}, {p.title}, {m.name}" for p, m in zip(self.delegates, self.members, strict=True)]
        seen.update(id(m) for m in self.members)
        items = [r.choice([
            f"{self.lead.head.surname} opened the meeting and presented the companies of the delegation.",
            f"{counterpart.head.name} welcomed the delegation of {_the(self.lead)} to {city}.",
        ])]
        for c in self.met[1:]:
            cn = self.name(c, seen, intro=True)
            items.append(_cap(r.choice([
                f"The delegation reported on its meeting with {cn} the day before.",
                f"{cn} joined the meeting and presented its needs in {self.trade()}.",
                f"It was agreed to arrange a separate meeting with {cn}.",
                f"Representatives of {cn} described their plans to import {self.trade()}.",
                f"{c.head.name}, {c.head.title} of {cn}, reported on earlier talks with the delegation.",
            ])))
        for m, c, what in self.signed:
            items.append(_cap(f"{self.name(m, seen)} and {self.name(c, seen)} signed {what}."))
        actions = [_cap(f"{self.name(counterpart, seen)} to send a list of potential buyers of {self.trade()}.")]
        if self.fair:
            actions.append(f"Participants to register for the {self.trade().title()} {self.fair} in {city}.")
        if self.next_cc:
            actions.append(_cap(f"{self.name(self.lead, seen)} to organise a mission to "
                                f"{self.country(self.next_cc)}."))

        def render(extra: list[str]) -> str:
            body = "\n".join(f"{k}. {t}" for k, t in enumerate([*items, *extra], 1))
            return (head + "Present:\n" + "\n".join(present) + "\n\nDiscussion:\n" + body
                    + "\n\nAgreed actions:\n" + "\n".join(f"- {a}" for a in actions) + "\n")

        extra: list[str] = []
        self.pad(extra, render, self.filler)
        return render(extra)


_HUB_KINDS = ("chamber", "ministry", "agency", "commission", "diplomatic", "park")
_OTHER_KINDS = ("enterprise",) * 12 + ("media", "other")


def generate_reports(n: int, *, seed: int = 1, words: int = 300, start_year: int = 2015,
                     years: int = 10) -> Iterator[tuple[str, str]]:
    """``(file name, text)`` for ``n`` reports of about ``words`` words
    each, in date order."""
    rng = random.Random(seed)
    world = World(rng)
    for k in range(n):
        writer = _Writer(world, rng, k, words, start_year, years, n)
        register = rng.choice(REGISTERS)
        text = getattr(writer, register)()
        y, m, d = writer.start
        yield f"{k:05d}-{y}-{m:02d}-{writer.home.lower()}-{writer.cc.lower()}-{register}.txt", text


def write_reports(folder: str | Path, n: int, *, seed: int = 1, words: int = 300) -> dict[str, float]:
    """Write ``n`` reports into ``folder``; returns counts and seconds."""
    t0 = time.perf_counter()
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, text in generate_reports(n, seed=seed, words=words):
        (out / name).write_text(text, encoding="utf-8")
        total += len(text.split())
    return {"reports": n, "words": total, "seconds": round(time.perf_counter() - t0, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--reports", type=int, default=100)
    ap.add_argument("--words", type=int, default=300, help="about how many words each report has")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(write_reports(args.folder, args.reports, seed=args.seed, words=args.words))


if __name__ == "__main__":
    main()

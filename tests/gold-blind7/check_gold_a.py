#!/usr/bin/env python3
"""Check the blind7a gold files (standard library only).

For every NAME.gold.json next to this script:
  * the JSON parses and has source / entities / relations (/ ignore);
  * NAME.txt exists, is UTF-8 and has 250-550 words;
  * every entity name and every alias occurs in the text
    (whitespace-normalised, case-insensitively);
  * types, Organization/Place kinds and relation types come from ONTOLOGY.md,
    Sector codes are two-digit ISIC divisions, country codes look like ISO alpha-2;
  * every relation end (a name or a list of names) is an entity of the file,
    and the ends have types the relation allows;
  * a required relation has a required entity at each end;
  * no duplicate entity names/aliases, no duplicate relations.
Exit status 1 if anything is wrong.
"""
import json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = {"Organization", "Person", "Place", "Event", "Mission", "Sector", "Agreement", "Program"}
ORG_KINDS = {"commission", "ministry", "agency", "diplomatic", "enterprise", "chamber", "park", "media", "other"}
PLACE_KINDS = {"country", "region", "city"}
ACTOR = {"Organization", "Person", "Mission", "Place"}
REL = {  # type -> (allowed source types, allowed target types)
    "MET_WITH": (ACTOR, ACTOR),
    "VISITED": (ACTOR, {"Place", "Organization", "Sector"}),
    "SIGNED_WITH": (ACTOR, ACTOR),
    "PARTICIPATED_IN": (ACTOR, {"Event"}),
    "ORGANIZED": ({"Organization", "Place"}, {"Event"}),
    "LED": ({"Organization", "Person", "Place"}, {"Mission"}),
    "MEMBER_OF": ({"Organization", "Person"}, {"Mission", "Organization"}),
    "INVITED": (ACTOR, ACTOR),
    "WORKS_FOR": ({"Person"}, {"Organization"}),
    "PART_OF": ({"Organization"}, {"Organization"}),
    "LOCATED_IN": ({"Organization", "Event", "Place"}, {"Place", "Organization"}),  # corpus: park as target
    "IN_SECTOR": ({"Organization", "Mission", "Event", "Place", "Person"}, {"Sector"}),
    "PLANS_VISIT": (ACTOR, {"Place", "Organization"}),
}
ENTITY_KEYS = {"name", "type", "kind", "aliases", "country", "title", "code", "optional",
               "start", "end", "value", "currency", "date"}
REL_KEYS = {"type", "source", "target", "optional", "date", "agreement", "event", "title"}


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def occurs(form, ntext):
    """form occurs in the (normalised) text, case-insensitively, not inside a longer word"""
    f = norm(form)
    pat = re.escape(f)
    if re.match(r"\w", f):
        pat = r"(?<!\w)" + pat
    if re.search(r"\w$", f):
        pat = pat + r"(?!\w)"
    return re.search(pat, ntext, flags=re.I) is not None


def check(base):
    errs = []
    gpath = os.path.join(HERE, base + ".gold.json")
    tpath = os.path.join(HERE, base + ".txt")
    try:
        with open(gpath, encoding="utf-8") as f:
            gold = json.load(f)
    except Exception as e:  # noqa
        return [f"cannot parse: {e}"]
    try:
        with open(tpath, encoding="utf-8") as f:
            text = f.read()
    except Exception as e:  # noqa
        return [f"text missing or not UTF-8: {e}"]
    words = len(text.split())
    if not 250 <= words <= 550:
        errs.append(f"text has {words} words (want 250-550)")
    ntext = norm(text)
    ltext = ntext.lower()
    for k in ("source", "entities", "relations"):
        if k not in gold:
            errs.append(f"missing key {k}")
    extra = set(gold) - {"source", "entities", "relations", "ignore"}
    if extra:
        errs.append(f"unexpected top-level keys {sorted(extra)}")
    ents = {}
    surface = {}
    for e in gold.get("entities", []):
        n = e.get("name")
        t = e.get("type")
        if not n or not isinstance(n, str):
            errs.append(f"entity without name: {e}")
            continue
        if n in ents:
            errs.append(f"duplicate entity {n!r}")
        ents[n] = e
        if set(e) - ENTITY_KEYS:
            errs.append(f"{n!r}: unknown fields {sorted(set(e) - ENTITY_KEYS)}")
        if t not in TYPES:
            errs.append(f"{n!r}: bad type {t!r}")
        if t == "Organization" and e.get("kind") not in ORG_KINDS:
            errs.append(f"{n!r}: bad organization kind {e.get('kind')!r}")
        if t == "Place" and e.get("kind") not in PLACE_KINDS:
            errs.append(f"{n!r}: bad place kind {e.get('kind')!r}")
        if t not in ("Organization", "Place") and "kind" in e:
            errs.append(f"{n!r}: kind on a {t}")
        if t == "Sector" and not re.fullmatch(r"\d\d", str(e.get("code", ""))):
            errs.append(f"{n!r}: sector needs a two-digit ISIC code")
        if "country" in e and not re.fullmatch(r"[A-Z]{2}", str(e["country"])):
            errs.append(f"{n!r}: bad country code {e['country']!r}")
        if "currency" in e and not re.fullmatch(r"[A-Z]{3}", str(e["currency"])):
            errs.append(f"{n!r}: bad currency {e['currency']!r}")
        for dk in ("start", "end", "date"):
            if dk in e and not re.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", str(e[dk])):
                errs.append(f"{n!r}: bad {dk} {e[dk]!r}")
        if "optional" in e and not isinstance(e["optional"], bool):
            errs.append(f"{n!r}: optional must be boolean")
        if not occurs(n, ntext):
            errs.append(f"name not in text: {n!r}")
        for a in e.get("aliases", []) or []:
            if not occurs(a, ntext):
                errs.append(f"alias of {n!r} not in text: {a!r}")
        for s in [n] + list(e.get("aliases", []) or []):
            key = norm(s).lower()
            if key in surface and surface[key] != n:
                errs.append(f"surface form {s!r} used by {surface[key]!r} and {n!r}")
            surface[key] = n
    seen = set()
    for i, r in enumerate(gold.get("relations", [])):
        rt = r.get("type")
        tag = f"relation {i} {rt}"
        if rt not in REL:
            errs.append(f"{tag}: bad type")
            continue
        if set(r) - REL_KEYS:
            errs.append(f"{tag}: unknown fields {sorted(set(r) - REL_KEYS)}")
        stypes, ttypes = REL[rt]
        ends = {}
        for side, allowed in (("source", stypes), ("target", ttypes)):
            v = r.get(side)
            names = v if isinstance(v, list) else [v]
            if not names or not all(isinstance(x, str) for x in names):
                errs.append(f"{tag}: bad {side} {v!r}")
                continue
            for x in names:
                if x not in ents:
                    errs.append(f"{tag}: {side} {x!r} is not an entity")
                elif ents[x]["type"] not in allowed:
                    errs.append(f"{tag}: {side} {x!r} has type {ents[x]['type']} not allowed")
            ends[side] = tuple(sorted(names))
            if not r.get("optional") and all(ents.get(x, {}).get("optional") for x in names):
                errs.append(f"{tag}: required relation but every {side} is an optional entity")
        if "agreement" in r and (r["agreement"] not in ents or ents[r["agreement"]]["type"] != "Agreement"):
            errs.append(f"{tag}: agreement {r['agreement']!r} is not an Agreement entity")
        if "event" in r and (r["event"] not in ents or ents[r["event"]]["type"] != "Event"):
            errs.append(f"{tag}: event {r['event']!r} is not an Event entity")
        if "optional" in r and not isinstance(r["optional"], bool):
            errs.append(f"{tag}: optional must be boolean")
        key = (rt, ends.get("source"), ends.get("target"))
        if rt in ("MET_WITH", "SIGNED_WITH"):
            key = (rt,) + tuple(sorted([str(ends.get("source")), str(ends.get("target"))]))
        if key in seen:
            errs.append(f"{tag}: duplicate relation {key}")
        seen.add(key)
    if not isinstance(gold.get("ignore", []), list):
        errs.append("ignore must be a list")
    return errs


def main():
    bases = sorted(f[:-10] for f in os.listdir(HERE) if f.endswith(".gold.json"))
    txts = sorted(f[:-4] for f in os.listdir(HERE) if f.endswith(".txt"))
    bad = 0
    for t in txts:
        if t not in bases:
            print(f"{t}.txt: no gold file")
            bad += 1
    tot = {"files": 0, "entities": 0, "opt_entities": 0, "relations": 0, "opt_relations": 0}
    for b in bases:
        errs = check(b)
        tot["files"] += 1
        try:
            g = json.load(open(os.path.join(HERE, b + ".gold.json"), encoding="utf-8"))
            tot["entities"] += len(g["entities"])
            tot["opt_entities"] += sum(1 for e in g["entities"] if e.get("optional"))
            tot["relations"] += len(g["relations"])
            tot["opt_relations"] += sum(1 for r in g["relations"] if r.get("optional"))
        except Exception:
            pass
        for e in errs:
            print(f"{b}: {e}")
        bad += len(errs)
    print("totals:", tot)
    print("OK" if not bad else f"{bad} problem(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

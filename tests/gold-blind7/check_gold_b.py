#!/usr/bin/env python3
"""Check the blind7b gold files (standard library only).

For every NAME.gold.json next to a NAME.txt:
- the JSON parses and has the corpus keys (source, entities, relations, ignore);
- entity types / Organization kinds / Place kinds are those of ONTOLOGY.md,
  Sectors carry a 2-digit ISIC code;
- every entity name and alias occurs verbatim in the text;
- names are unique, no alias is claimed by two entities;
- relation types are from ONTOLOGY.md and every source/target (string or list
  of acceptable parties) is the name of an entity of the same file;
- no duplicate relation (same type and same ends);
- the text is UTF-8 and 250-550 words.
Exit status 0 when clean.
"""
import glob
import json
import os
import re
import sys

ENTITY_TYPES = {"Organization", "Person", "Place", "Event", "Mission",
                "Sector", "Agreement", "Program"}
ORG_KINDS = {"commission", "ministry", "agency", "diplomatic", "enterprise",
             "chamber", "park", "media", "other"}
PLACE_KINDS = {"country", "region", "city"}
REL_TYPES = {"MET_WITH", "VISITED", "SIGNED_WITH", "PARTICIPATED_IN",
             "ORGANIZED", "LED", "MEMBER_OF", "INVITED", "WORKS_FOR",
             "PART_OF", "LOCATED_IN", "IN_SECTOR", "PLANS_VISIT"}
SYMMETRIC = {"MET_WITH", "SIGNED_WITH"}
ENTITY_KEYS = {"name", "type", "kind", "aliases", "optional", "title", "code",
               "country", "start", "end", "value", "currency", "date"}
REL_KEYS = {"type", "source", "target", "optional", "date", "agreement",
            "event", "title"}
# loose type constraints on relation ends (what the ontology's table says)
ACTORS = {"Organization", "Person", "Mission", "Place"}
END_TYPES = {
    "MET_WITH": (ACTORS, ACTORS),
    "VISITED": (ACTORS, {"Place", "Organization", "Sector", "Event"}),
    "SIGNED_WITH": (ACTORS, ACTORS),
    "PARTICIPATED_IN": (ACTORS, {"Event", "Organization"}),
    "ORGANIZED": ({"Organization", "Place", "Person"}, {"Event"}),
    "LED": ({"Organization", "Person", "Place"}, {"Mission"}),
    "MEMBER_OF": ({"Organization", "Person"}, {"Mission", "Organization"}),
    "INVITED": (ACTORS, ACTORS),
    "WORKS_FOR": ({"Person"}, {"Organization", "Place"}),
    "PART_OF": ({"Organization"}, {"Organization"}),
    "LOCATED_IN": ({"Organization", "Event", "Place"}, {"Place", "Organization"}),
    "IN_SECTOR": ({"Organization", "Mission", "Event", "Place", "Person", "Program"}, {"Sector"}),
    "PLANS_VISIT": (ACTORS, {"Place", "Organization", "Event"}),
}


def check(gold_path):
    errs = []
    txt_path = gold_path[:-len(".gold.json")] + ".txt"
    if not os.path.exists(txt_path):
        return [f"missing text {txt_path}"]
    try:
        with open(txt_path, encoding="utf-8") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        return [f"text not UTF-8: {exc}"]
    words = len(re.findall(r"\S+", text))
    if not 250 <= words <= 550:
        errs.append(f"text has {words} words (want 250-550)")
    try:
        with open(gold_path, encoding="utf-8") as fh:
            gold = json.load(fh)
    except (ValueError, UnicodeDecodeError) as exc:
        return errs + [f"gold does not parse: {exc}"]
    for key in ("source", "entities", "relations", "ignore"):
        if key not in gold:
            errs.append(f"gold lacks key {key!r}")
    names = {}
    alias_owner = {}
    for i, ent in enumerate(gold.get("entities", [])):
        where = f"entity {i} ({ent.get('name')!r})"
        extra = set(ent) - ENTITY_KEYS
        if extra:
            errs.append(f"{where}: unknown keys {sorted(extra)}")
        name, etype = ent.get("name"), ent.get("type")
        if not isinstance(name, str) or not name:
            errs.append(f"{where}: no name")
            continue
        if name in names:
            errs.append(f"{where}: duplicate name")
        names[name] = etype
        if etype not in ENTITY_TYPES:
            errs.append(f"{where}: bad type {etype!r}")
        kind = ent.get("kind")
        if etype == "Organization" and kind not in ORG_KINDS:
            errs.append(f"{where}: bad organization kind {kind!r}")
        if etype == "Place" and kind not in PLACE_KINDS:
            errs.append(f"{where}: bad place kind {kind!r}")
        if etype not in ("Organization", "Place") and kind is not None:
            errs.append(f"{where}: kind on a {etype}")
        if etype == "Sector" and not re.fullmatch(r"\d\d", str(ent.get("code", ""))):
            errs.append(f"{where}: sector without 2-digit ISIC code")
        if "optional" in ent and not isinstance(ent["optional"], bool):
            errs.append(f"{where}: optional is not a boolean")
        aliases = ent.get("aliases", [])
        if not isinstance(aliases, list):
            errs.append(f"{where}: aliases is not a list")
            aliases = []
        for form in [name] + aliases:
            if form not in text:
                errs.append(f"{where}: {form!r} does not occur in the text")
            owner = alias_owner.get(form)
            if owner is not None and owner != name:
                errs.append(f"{where}: form {form!r} also claimed by {owner!r}")
            alias_owner[form] = name
        if len(set(aliases)) != len(aliases) or name in aliases:
            errs.append(f"{where}: repeated alias")
    seen = set()
    for i, rel in enumerate(gold.get("relations", [])):
        rtype = rel.get("type")
        where = f"relation {i} ({rtype} {rel.get('source')!r} -> {rel.get('target')!r})"
        extra = set(rel) - REL_KEYS
        if extra:
            errs.append(f"{where}: unknown keys {sorted(extra)}")
        if rtype not in REL_TYPES:
            errs.append(f"{where}: bad relation type")
            continue
        ends = []
        for side_i, side in enumerate(("source", "target")):
            val = rel.get(side)
            parties = val if isinstance(val, list) else [val]
            if not parties:
                errs.append(f"{where}: empty {side}")
            for p in parties:
                if p not in names:
                    errs.append(f"{where}: {side} {p!r} is not an entity of the file")
                elif names[p] not in END_TYPES[rtype][side_i]:
                    errs.append(f"{where}: {side} {p!r} is a {names[p]}, unusual for {rtype}")
            ends.append(tuple(sorted(parties, key=str)))
        for k in ("agreement", "event"):
            if k in rel and rel[k] not in names:
                errs.append(f"{where}: {k} {rel[k]!r} is not an entity")
        key = (rtype,) + (tuple(sorted(ends)) if rtype in SYMMETRIC else tuple(ends))
        if key in seen:
            errs.append(f"{where}: duplicate relation")
        seen.add(key)
        if "optional" in rel and not isinstance(rel["optional"], bool):
            errs.append(f"{where}: optional is not a boolean")
    for s in gold.get("ignore", []):
        if not isinstance(s, str):
            errs.append(f"ignore entry {s!r} is not a string")
    return errs


def main(argv):
    folder = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    golds = sorted(glob.glob(os.path.join(folder, "*.gold.json")))
    texts = sorted(glob.glob(os.path.join(folder, "*.txt")))
    bad = 0
    for t in texts:
        if not os.path.exists(t[:-4] + ".gold.json"):
            print(f"{os.path.basename(t)}: no gold file")
            bad += 1
    tot = {"entities": 0, "entities_optional": 0, "relations": 0, "relations_optional": 0}
    for g in golds:
        errs = check(g)
        name = os.path.basename(g)
        if errs:
            bad += 1
            print(f"{name}: {len(errs)} problem(s)")
            for e in errs:
                print("   ", e)
        else:
            d = json.load(open(g, encoding="utf-8"))
            ne = len(d["entities"]); no = sum(1 for e in d["entities"] if e.get("optional"))
            nr = len(d["relations"]); ro = sum(1 for r in d["relations"] if r.get("optional"))
            tot["entities"] += ne; tot["entities_optional"] += no
            tot["relations"] += nr; tot["relations_optional"] += ro
            print(f"{name}: ok ({ne} entities, {no} optional; {nr} relations, {ro} optional)")
    print(f"{len(golds)} gold files; totals: {tot}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

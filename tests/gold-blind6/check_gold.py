#!/usr/bin/env python3
"""Check the blind6 gold files (standard library only).

For every NAME.gold.json next to a NAME.txt:
  * the JSON parses and has the corpus layout (source, entities, relations, ignore);
  * every entity name and every alias occurs in the text (whitespace-normalised);
  * types, Organization/Place kinds, relation types are those of ONTOLOGY.md;
  * Sector codes are 2-digit ISIC divisions; names are unique;
  * every relation end (a name or a list of acceptable names) is an entity of the file;
  * the text is 250-550 words.
Exit status 0 when clean.
"""
import json, os, re, sys

ENT_TYPES = {"Organization", "Person", "Place", "Event", "Mission", "Sector", "Agreement", "Program"}
ORG_KINDS = {"commission", "ministry", "agency", "diplomatic", "enterprise", "chamber", "park", "media", "other"}
PLACE_KINDS = {"country", "region", "city"}
REL_TYPES = {"MET_WITH", "VISITED", "SIGNED_WITH", "PARTICIPATED_IN", "ORGANIZED", "LED", "MEMBER_OF",
             "INVITED", "WORKS_FOR", "PART_OF", "LOCATED_IN", "IN_SECTOR", "PLANS_VISIT"}
ENT_KEYS = {"name", "type", "kind", "aliases", "optional", "code", "title", "country", "start", "end",
            "value", "currency", "date"}
REL_KEYS = {"type", "source", "target", "optional", "date", "agreement", "event", "title"}


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def check(txt_path, gold_path):
    errs = []
    with open(txt_path, encoding="utf-8") as f:
        text = f.read()
    ntext = norm(text)
    words = len(text.split())
    if not 250 <= words <= 550:
        errs.append(f"text has {words} words (want 250-550)")
    try:
        with open(gold_path, encoding="utf-8") as f:
            gold = json.load(f)
    except Exception as e:  # noqa
        return [f"JSON does not parse: {e}"]
    for k in ("source", "entities", "relations", "ignore"):
        if k not in gold:
            errs.append(f"missing top-level key {k}")
    names = {}
    for e in gold.get("entities", []):
        n = e.get("name")
        if not n:
            errs.append(f"entity without name: {e}"); continue
        if n in names:
            errs.append(f"duplicate entity name {n!r}")
        names[n] = e
        for k in e:
            if k not in ENT_KEYS:
                errs.append(f"{n!r}: unknown key {k}")
        t = e.get("type")
        if t not in ENT_TYPES:
            errs.append(f"{n!r}: bad type {t!r}")
        if t == "Organization" and e.get("kind") not in ORG_KINDS:
            errs.append(f"{n!r}: bad organization kind {e.get('kind')!r}")
        if t == "Place" and e.get("kind") not in PLACE_KINDS:
            errs.append(f"{n!r}: bad place kind {e.get('kind')!r}")
        if t not in ("Organization", "Place") and "kind" in e:
            errs.append(f"{n!r}: kind on a {t}")
        if t == "Sector" and not re.fullmatch(r"\d\d", str(e.get("code", ""))):
            errs.append(f"{n!r}: sector code {e.get('code')!r} is not 2 digits")
        if "optional" in e and not isinstance(e["optional"], bool):
            errs.append(f"{n!r}: optional must be a boolean")
        aliases = e.get("aliases", [])
        if not isinstance(aliases, list):
            errs.append(f"{n!r}: aliases must be a list"); aliases = []
        for s in [n] + aliases:
            if norm(s) not in ntext:
                errs.append(f"{n!r}: surface form {s!r} does not occur in the text")
        if len(set(aliases)) != len(aliases) or n in aliases:
            errs.append(f"{n!r}: repeated alias")
    seen = set()
    for i, r in enumerate(gold.get("relations", [])):
        t = r.get("type")
        tag = f"relation {i} {t}"
        def _k(v):
            return tuple(sorted(v)) if isinstance(v, list) else (v,)
        key = (t, _k(r.get("source")), _k(r.get("target")))
        if t in ("MET_WITH", "SIGNED_WITH"):
            key = (t,) + tuple(sorted([_k(r.get("source")), _k(r.get("target"))]))
        if key in seen:
            errs.append(f"{tag}: duplicate relation")
        seen.add(key)
        if t not in REL_TYPES:
            errs.append(f"{tag}: bad relation type")
        for k in r:
            if k not in REL_KEYS:
                errs.append(f"{tag}: unknown key {k}")
        for end in ("source", "target"):
            v = r.get(end)
            vs = v if isinstance(v, list) else [v]
            if not vs:
                errs.append(f"{tag}: empty {end}")
            for x in vs:
                if x not in names:
                    errs.append(f"{tag}: {end} {x!r} is not an entity of the file")
        for k in ("agreement", "event"):
            if k in r and r[k] not in names:
                errs.append(f"{tag}: {k} {r[k]!r} is not an entity of the file")
        if "optional" in r and not isinstance(r["optional"], bool):
            errs.append(f"{tag}: optional must be a boolean")
    if not isinstance(gold.get("ignore", []), list):
        errs.append("ignore must be a list")
    return errs


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    txts = sorted(f for f in os.listdir(d) if f.endswith(".txt"))
    bad = 0
    tot = {"files": 0, "entities": 0, "opt_entities": 0, "relations": 0, "opt_relations": 0, "words": 0}
    for t in txts:
        g = os.path.join(d, t[:-4] + ".gold.json")
        if not os.path.exists(g):
            print(f"{t}: no gold file"); bad += 1; continue
        errs = check(os.path.join(d, t), g)
        if errs:
            bad += 1
            for e in errs:
                print(f"{t}: {e}")
        else:
            gold = json.load(open(g, encoding="utf-8"))
            ents, rels = gold["entities"], gold["relations"]
            oe = sum(1 for e in ents if e.get("optional"))
            orl = sum(1 for r in rels if r.get("optional"))
            w = len(open(os.path.join(d, t), encoding="utf-8").read().split())
            print(f"ok  {t:45s} words={w:3d} entities={len(ents):2d} (opt {oe:2d}) relations={len(rels):2d} (opt {orl:2d})")
            tot["files"] += 1; tot["entities"] += len(ents); tot["opt_entities"] += oe
            tot["relations"] += len(rels); tot["opt_relations"] += orl; tot["words"] += w
    for g in sorted(f for f in os.listdir(d) if f.endswith(".gold.json")):
        if not os.path.exists(os.path.join(d, g[:-10] + ".txt")):
            print(f"{g}: no text file"); bad += 1
    print("TOTAL", json.dumps(tot))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

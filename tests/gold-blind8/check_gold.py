#!/usr/bin/env python3
"""Check the blind gold files: parse, surface forms in text, vocabulary, relation ends."""
import json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = {"Organization", "Person", "Place", "Event", "Mission", "Sector", "Agreement", "Program"}
ORG_KINDS = {"commission", "ministry", "agency", "diplomatic", "enterprise", "chamber", "park", "media", "other"}
PLACE_KINDS = {"country", "region", "city"}
REL_TYPES = {"MET_WITH", "VISITED", "SIGNED_WITH", "PARTICIPATED_IN", "ORGANIZED", "LED", "MEMBER_OF",
             "INVITED", "WORKS_FOR", "PART_OF", "LOCATED_IN", "IN_SECTOR", "PLANS_VISIT"}
ENT_KEYS = {"name", "type", "kind", "aliases", "optional", "title", "code", "country", "start", "end",
            "value", "currency", "date"}
REL_KEYS = {"type", "source", "target", "optional", "date", "agreement", "event", "title"}


def ends(v):
    return v if isinstance(v, list) else [v]


def check(name):
    errs = []
    txt_path = os.path.join(HERE, name + ".txt")
    gold_path = os.path.join(HERE, name + ".gold.json")
    with open(txt_path, encoding="utf-8") as f:
        text = f.read()
    low = text.lower()
    words = len(re.findall(r"\S+", text))
    if not 250 <= words <= 550:
        errs.append(f"word count {words} outside 250-550")
    try:
        with open(gold_path, encoding="utf-8") as f:
            gold = json.load(f)
    except Exception as e:  # noqa
        return [f"JSON: {e}"], words, None
    if set(gold) - {"source", "entities", "relations", "ignore"}:
        errs.append(f"unknown top-level keys {set(gold) - {'source','entities','relations','ignore'}}")
    names, seen_forms = set(), {}
    for e in gold.get("entities", []):
        n = e.get("name")
        if not n:
            errs.append(f"entity without name {e}"); continue
        if n in names:
            errs.append(f"duplicate entity {n}")
        names.add(n)
        if set(e) - ENT_KEYS:
            errs.append(f"{n}: unknown keys {set(e) - ENT_KEYS}")
        t = e.get("type")
        if t not in TYPES:
            errs.append(f"{n}: bad type {t}")
        if t == "Organization" and e.get("kind") not in ORG_KINDS:
            errs.append(f"{n}: bad org kind {e.get('kind')}")
        if t == "Place" and e.get("kind") not in PLACE_KINDS:
            errs.append(f"{n}: bad place kind {e.get('kind')}")
        if t not in ("Organization", "Place") and "kind" in e:
            errs.append(f"{n}: kind on {t}")
        if t == "Sector" and not re.fullmatch(r"\d\d", str(e.get("code", ""))):
            errs.append(f"{n}: sector code {e.get('code')}")
        if "country" in e and not re.fullmatch(r"[A-Z]{2}", e["country"]):
            errs.append(f"{n}: country {e['country']}")
        for form in [n] + list(e.get("aliases", [])):
            if form.lower() not in low:
                errs.append(f"{n}: form not in text: {form!r}")
            k = form.lower()
            if k in seen_forms and seen_forms[k] != n:
                errs.append(f"form {form!r} used by {seen_forms[k]} and {n}")
            seen_forms[k] = n
    for ig in gold.get("ignore", []):
        if ig.lower() in seen_forms:
            errs.append(f"ignore entry {ig!r} is also an entity form")
    pairs = set()
    for r in gold.get("relations", []):
        if set(r) - REL_KEYS:
            errs.append(f"relation unknown keys {set(r) - REL_KEYS}")
        if r.get("type") not in REL_TYPES:
            errs.append(f"bad relation type {r.get('type')}")
        for side in ("source", "target"):
            for x in ends(r.get(side)):
                if x not in names:
                    errs.append(f"{r.get('type')}: {side} {x!r} is not an entity")
        for fld in ("agreement", "event"):
            if fld in r and r[fld] not in names:
                errs.append(f"{r['type']}: {fld} {r[fld]!r} not an entity")
        key = (r.get("type"), tuple(ends(r.get("source"))), tuple(ends(r.get("target"))))
        if key in pairs:
            errs.append(f"duplicate relation {key}")
        pairs.add(key)
    return errs, words, gold


def stats(gold):
    ents = gold["entities"]; rels = gold["relations"]
    return (len(ents), sum(1 for e in ents if e.get("optional")),
            len(rels), sum(1 for r in rels if r.get("optional")))


def main():
    files = sorted(f[:-4] for f in os.listdir(HERE) if f.endswith(".txt"))
    golds = {f[:-10] for f in os.listdir(HERE) if f.endswith(".gold.json")}
    bad = 0
    tot = [0, 0, 0, 0, 0]
    for n in sorted(set(files) | golds):
        if n not in golds or n not in files:
            print(f"{n}: missing txt or gold"); bad += 1; continue
        errs, words, gold = check(n)
        s = stats(gold) if gold else (0, 0, 0, 0)
        tot = [a + b for a, b in zip(tot, (words,) + s)]
        print(f"{n}: {words} words, entities {s[0]} ({s[1]}), relations {s[2]} ({s[3]}) {'OK' if not errs else 'ERRORS'}")
        for e in errs:
            print("   -", e)
        bad += bool(errs)
    print(f"TOTAL {len(files)} files, {tot[0]} words, entities {tot[1]} ({tot[2]}), relations {tot[3]} ({tot[4]})")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Self-check for the blind5 evaluation set (python3, standard library only)."""
import json, re, sys, glob, os
ROOT = os.path.dirname(os.path.abspath(__file__))
ETYPES = {"Organization", "Person", "Place", "Event", "Mission", "Sector", "Agreement", "Program"}
OKINDS = {"commission", "ministry", "agency", "diplomatic", "enterprise", "chamber", "park", "media", "other"}
PKINDS = {"country", "region", "city"}
RTYPES = {"MET_WITH", "VISITED", "SIGNED_WITH", "PARTICIPATED_IN", "ORGANIZED", "LED", "MEMBER_OF",
          "INVITED", "WORKS_FOR", "PART_OF", "LOCATED_IN", "IN_SECTOR", "PLANS_VISIT"}
ACTOR = {"Organization", "Person", "Mission", "Place"}
# allowed (source types, target types) per relation type
SIG = {
    "MET_WITH": (ACTOR, ACTOR),
    "VISITED": (ACTOR, {"Place", "Organization", "Event", "Sector"}),
    "SIGNED_WITH": (ACTOR, ACTOR),
    "PARTICIPATED_IN": (ACTOR, {"Event"}),
    "ORGANIZED": ({"Organization", "Place"}, {"Event"}),
    "LED": ({"Organization", "Person", "Place"}, {"Mission"}),
    "MEMBER_OF": ({"Organization", "Person"}, {"Mission", "Organization"}),
    "INVITED": (ACTOR, ACTOR | {"Event"}),
    "WORKS_FOR": ({"Person"}, {"Organization"}),
    "PART_OF": ({"Organization"}, {"Organization"}),
    "LOCATED_IN": ({"Organization", "Event", "Place"}, {"Place"}),
    "IN_SECTOR": ({"Organization", "Mission", "Event", "Place", "Person"}, {"Sector"}),
    "PLANS_VISIT": (ACTOR, {"Place", "Organization", "Event"}),
}

def norm(s):
    return re.sub(r"\s+", " ", s)

def occurs(text_n, s):
    return norm(s) in text_n or norm(s).lower() in text_n.lower()

def check(gp):
    errs, warns = [], []
    base = os.path.basename(gp)[:-len(".gold.json")]
    tp = os.path.join(ROOT, base + ".txt")
    if not os.path.exists(tp):
        return [f"missing {tp}"], [], {}
    text = open(tp, encoding="utf-8").read()
    tn = norm(text)
    words = len(text.split())
    if not 250 <= words <= 700:
        errs.append(f"word count {words} outside 250-700")
    try:
        g = json.load(open(gp, encoding="utf-8"))
    except Exception as e:
        return [f"bad json: {e}"], [], {}
    for k in ("source", "entities", "relations"):
        if k not in g:
            errs.append(f"missing key {k}")
    ents = {}
    for e in g.get("entities", []):
        n = e.get("name")
        if not n:
            errs.append(f"entity without name: {e}"); continue
        if n in ents:
            errs.append(f"duplicate entity {n!r}")
        ents[n] = e
        t = e.get("type")
        if t not in ETYPES:
            errs.append(f"{n!r}: bad type {t}")
        if t == "Organization" and e.get("kind") not in OKINDS:
            errs.append(f"{n!r}: bad org kind {e.get('kind')}")
        if t == "Place" and e.get("kind") not in PKINDS:
            errs.append(f"{n!r}: bad place kind {e.get('kind')}")
        if t == "Sector" and not re.fullmatch(r"\d\d", str(e.get("code", ""))):
            errs.append(f"{n!r}: sector code missing/bad")
        if "country" in e and not re.fullmatch(r"[A-Z]{2}", e["country"]):
            errs.append(f"{n!r}: bad country {e['country']}")
        if not occurs(tn, n):
            errs.append(f"entity name not in text: {n!r}")
        for a in e.get("aliases", []):
            if not occurs(tn, a):
                errs.append(f"{n!r}: alias not in text: {a!r}")
        if "optional" in e and not isinstance(e["optional"], bool):
            errs.append(f"{n!r}: optional not bool")
        allowed = {"name", "type", "kind", "country", "aliases", "optional", "title", "code",
                   "value", "currency", "date", "start", "end"}
        extra = set(e) - allowed
        if extra:
            errs.append(f"{n!r}: unexpected fields {extra}")
    seen = set()
    for i, r in enumerate(g.get("relations", [])):
        rt = r.get("type")
        tag = f"rel#{i} {rt}"
        if rt not in RTYPES:
            errs.append(f"{tag}: bad type"); continue
        src = r.get("source"); tgt = r.get("target")
        srcs = src if isinstance(src, list) else [src]
        tgts = tgt if isinstance(tgt, list) else [tgt]
        stypes, ttypes = SIG[rt]
        for s in srcs:
            if s not in ents:
                errs.append(f"{tag}: unknown source {s!r}")
            elif ents[s]["type"] not in stypes:
                errs.append(f"{tag}: source {s!r} has type {ents[s]['type']}")
        for t in tgts:
            if t not in ents:
                errs.append(f"{tag}: unknown target {t!r}")
            elif ents[t]["type"] not in ttypes:
                errs.append(f"{tag}: target {t!r} has type {ents[t]['type']}")
        if set(srcs) & set(tgts):
            errs.append(f"{tag}: source and target overlap")
        key = (rt, tuple(sorted(srcs)), tuple(sorted(tgts)))
        if rt in ("MET_WITH", "SIGNED_WITH"):
            key = (rt, tuple(sorted([tuple(sorted(srcs)), tuple(sorted(tgts))])))
        if key in seen:
            errs.append(f"{tag}: duplicate relation")
        seen.add(key)
        if "agreement" in r:
            a = r["agreement"]
            if a not in ents or ents[a]["type"] != "Agreement":
                errs.append(f"{tag}: agreement {a!r} is not an Agreement entity")
        if "event" in r:
            a = r["event"]
            if a not in ents or ents[a]["type"] != "Event":
                errs.append(f"{tag}: event {a!r} is not an Event entity")
        ev = r.get("evidence")
        if not ev:
            errs.append(f"{tag}: no evidence")
        for q in ev or []:
            if not isinstance(q, dict) or set(q) != {"start", "end", "text"}:
                errs.append(f"{tag}: evidence not a span object: {q!r}"); continue
            if text[q["start"]:q["end"]] != q["text"]:
                errs.append(f"{tag}: evidence span mismatch: {q['text']!r}")
        if "optional" in r and not isinstance(r["optional"], bool):
            errs.append(f"{tag}: optional not bool")
    for s in g.get("ignore", []):
        if s in ents:
            warns.append(f"ignore string is also an entity name: {s!r}")
    # every non-optional entity should take part in at least one relation or be listed
    used = set()
    for r in g.get("relations", []):
        for k in ("source", "target"):
            v = r[k]; used |= set(v if isinstance(v, list) else [v])
        for k in ("agreement", "event"):
            if k in r: used.add(r[k])
    for n, e in ents.items():
        if n not in used and not e.get("optional"):
            warns.append(f"required entity in no relation: {n!r}")
    stats = {"words": words, "entities": len(ents),
             "relations": len(g.get("relations", [])),
             "opt_rel": sum(1 for r in g.get("relations", []) if r.get("optional")),
             "rtypes": len({r["type"] for r in g.get("relations", [])})}
    return errs, warns, stats

def main():
    files = sorted(glob.glob(os.path.join(ROOT, "*.gold.json")))
    txts = sorted(glob.glob(os.path.join(ROOT, "*.txt")))
    total_e = total_r = 0; nerr = 0
    for t in txts:
        if not os.path.exists(t[:-4] + ".gold.json"):
            print(f"{os.path.basename(t)}: no gold file"); nerr += 1
    for gp in files:
        errs, warns, st = check(gp)
        name = os.path.basename(gp)
        print(f"{name}: {st}")
        for e in errs: print("  ERROR", e)
        for w in warns: print("  warn ", w)
        nerr += len(errs)
        total_e += st.get("entities", 0); total_r += st.get("relations", 0)
    print(f"files={len(files)} entities={total_e} relations={total_r} errors={nerr}")
    return 1 if nerr else 0

if __name__ == "__main__":
    sys.exit(main())

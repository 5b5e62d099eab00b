#!/usr/bin/env python3
"""Sanity check for the gold files in this folder (format only; runs no extractor)."""
import json, re, sys, unicodedata
from pathlib import Path

ENTITY_TYPES = {"Organization", "Person", "Place", "Event", "Mission", "Sector", "Agreement", "Program"}
ORG_KINDS = {"commission", "ministry", "agency", "diplomatic", "enterprise", "chamber", "park", "media", "other"}
PLACE_KINDS = {"country", "region", "city"}
REL_TYPES = {"MET_WITH", "VISITED", "SIGNED_WITH", "PARTICIPATED_IN", "ORGANIZED", "LED", "MEMBER_OF",
             "INVITED", "WORKS_FOR", "PART_OF", "LOCATED_IN", "IN_SECTOR", "PLANS_VISIT"}
SCORED = {"Organization", "Person", "Place", "Event", "Mission"}

def norm(name):  # same normalisation as eval/score.py
    s = unicodedata.normalize("NFKC", name or "").lower()
    s = re.sub(r"[\"'“”‘’«»„`]", "", s)
    s = re.sub(r"[^\w]+", " ", s).strip()
    return re.sub(r"^the ", "", s)

errors = []
here = Path(__file__).parent
golds = sorted(here.glob("*.gold.json"))
for g in golds:
    name = g.name[:-len(".gold.json")]
    text = (here / f"{name}.txt").read_text()
    ntext = " " + norm(text) + " "
    d = json.loads(g.read_text())
    assert set(d) <= {"source", "entities", "relations", "ignore"}, g
    ents = {e["name"]: e for e in d["entities"]}
    if len(ents) != len(d["entities"]):
        errors.append(f"{name}: duplicate entity names")
    forms = {}
    codes = {}
    for e in d["entities"]:
        t = e["type"]
        if t not in ENTITY_TYPES: errors.append(f"{name}: bad type {t} for {e['name']}")
        if t == "Organization" and e.get("kind") not in ORG_KINDS: errors.append(f"{name}: bad org kind {e.get('kind')} {e['name']}")
        if t == "Place" and e.get("kind") not in PLACE_KINDS: errors.append(f"{name}: bad place kind {e.get('kind')} {e['name']}")
        if t == "Sector":
            c = e.get("code", "")
            if not re.fullmatch(r"\d\d", c): errors.append(f"{name}: bad ISIC code {c} {e['name']}")
            if c in codes: errors.append(f"{name}: two sectors share code {c}: {codes[c]} / {e['name']}")
            codes[c] = e["name"]
        for f in [e["name"], *e.get("aliases", [])]:
            k = norm(f)
            if k in forms and forms[k] is not e:
                errors.append(f"{name}: form {f!r} used by {forms[k]['name']!r} and {e['name']!r}")
            forms.setdefault(k, e)
        if t in SCORED and not e.get("optional"):
            if not any(f" {norm(f)} " in ntext for f in [e["name"], *e.get("aliases", [])]):
                errors.append(f"{name}: required entity {e['name']!r} not found in text")
        if t in SCORED and norm(e["name"]) in {norm(x) for x in d.get("ignore", [])}:
            errors.append(f"{name}: entity {e['name']!r} is also ignored")
    for r in d["relations"]:
        if r["type"] not in REL_TYPES: errors.append(f"{name}: bad relation type {r['type']}")
        ends = []
        for side in ("source", "target"):
            v = r[side]
            vs = v if isinstance(v, list) else [v]
            for n in vs:
                if n not in ents: errors.append(f"{name}: relation endpoint {n!r} is not an entity")
            ends.append(vs)
        if not r.get("optional"):
            for vs in ends:
                if all(ents.get(n, {}).get("optional") for n in vs):
                    errors.append(f"{name}: required relation {r['type']} {r['source']}->{r['target']} needs an optional entity")
        if "agreement" in r and r["agreement"] not in ents:
            errors.append(f"{name}: agreement {r['agreement']!r} not an entity")
    words = len(text.split())
    req = [e for e in d["entities"] if e["type"] in SCORED and not e.get("optional")]
    rreq = [r for r in d["relations"] if not r.get("optional")]
    print(f"{name}: {words} words, {len(req)} required entities, {len(rreq)} required relations")
if errors:
    print("\n".join(errors)); sys.exit(1)
print("all gold files OK")

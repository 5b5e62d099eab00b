import json, glob, re, sys, collections
import os
D=os.path.dirname(os.path.abspath(__file__))
RT={'MET_WITH','VISITED','SIGNED_WITH','PARTICIPATED_IN','ORGANIZED','LED','MEMBER_OF','INVITED','WORKS_FOR','PART_OF','LOCATED_IN','IN_SECTOR','PLANS_VISIT'}
ET={'Organization','Person','Place','Event','Mission','Sector','Agreement','Program'}
OK={'commission','ministry','agency','diplomatic','enterprise','chamber','park','media','other'}
SYM={'MET_WITH','SIGNED_WITH'}
norm=lambda s: re.sub(r'\s+',' ',s)
tot_rt=collections.Counter(); tot_kind=collections.Counter(); problems=0
for f in sorted(glob.glob(D+'/*.gold.json')):
    name=f.split('/')[-1][:-10]
    txt=norm(open(D+'/'+name+'.txt').read())
    g=json.load(open(f))
    ents={}
    P=lambda m: print(f'  [{name}] {m}')
    for e in g['entities']:
        for k in e:
            if k not in {'name','type','kind','country','aliases','optional','code','title'}: P('bad key '+k); problems+=1
        if e['name'] in ents: P('dup entity '+e['name']); problems+=1
        ents[e['name']]=e
        if e['type'] not in ET: P('bad type '+e['type']); problems+=1
        if e['type']=='Organization':
            if e.get('kind') not in OK: P('bad kind '+str(e)); problems+=1
            tot_kind[e['kind']]+=1
        if e['type']=='Place' and e.get('kind') not in {'country','region','city'}: P('bad place kind '+e['name']); problems+=1
        if e['type']=='Sector' and not re.fullmatch(r'\d\d', e.get('code','')): P('bad code '+e['name']); problems+=1
        forms=[e['name']]+e.get('aliases',[])
        if not any(norm(x) in txt for x in forms): P('NOT IN TEXT: '+e['name']); problems+=1
    # alias collisions
    seen={}
    for e in g['entities']:
        for x in [e['name']]+e.get('aliases',[]):
            if x in seen and seen[x]!=e['name']: P(f'alias "{x}" shared by {seen[x]} / {e["name"]}')
            seen[x]=e['name']
    for x in g['ignore']:
        if x in seen: P(f'ignore "{x}" is also a form of {seen[x]}')
    pairs=collections.Counter()
    nreq=0
    for r in g['relations']:
        if r['type'] not in RT: P('bad rel '+r['type']); problems+=1
        for side in ('source','target'):
            v=r[side]; v=v if isinstance(v,list) else [v]
            for n in v:
                if n not in ents: P(f'unknown {side} {n} in {r}'); problems+=1
        if 'event' in r and (r['event'] not in ents or ents[r['event']]['type']!='Event'): P('bad event '+str(r)); problems+=1
        s=r['source'] if isinstance(r['source'],list) else [r['source']]
        t=r['target'] if isinstance(r['target'],list) else [r['target']]
        key=(r['type'],tuple(sorted(s)),tuple(sorted(t)))
        if r['type'] in SYM: key=(r['type'],)+tuple(sorted([tuple(sorted(s)),tuple(sorted(t))]))
        pairs[key]+=1
        if pairs[key]>1: P('dup relation '+str(key))
        if r['type']=='IN_SECTOR':
            for n in t:
                if ents[n]['type']!='Sector': P('IN_SECTOR target not sector '+n)
        if r['type']=='LED':
            for n in t:
                if ents[n]['type']!='Mission': P('LED target not mission '+n)
        if r['type']=='PARTICIPATED_IN' or r['type']=='ORGANIZED':
            for n in t:
                if ents[n]['type']!='Event': P(r['type']+' target not event '+n)
        if r['type']=='PLANS_VISIT':
            for n in t:
                if ents[n]['type']!='Place': P('PLANS_VISIT target not place (ok if optional) '+n+' opt='+str(r.get('optional')))
        if not r.get('optional'): nreq+=1; tot_rt[r['type']]+=1
    print(f'{name}: {len(txt.split())} words, {len(g["entities"])} entities, {len(g["relations"])} relations ({nreq} required)')
print('required relation types:', dict(tot_rt)); print('missing:', RT-set(tot_rt))
print('org kinds:', dict(tot_kind)); print('missing kinds:', OK-set(tot_kind))
print('problems', problems)

#!/usr/bin/env python3
"""Extracts the catalog queries of the client corpus into tests/corpus/catalog_queries.jsonl.

The corpus (`client-corpus/<client>.jsonl`, captured from PostgreSQL 15 by psql, SQLAlchemy,
Django, asyncpg, psycopg 3, pgjdbc and pgbench) lists every distinct statement a client sent.
A catalog query is one that reads a `pg_catalog` or `information_schema` relation (the
relations are the ones `facts.json` names; unqualified `pg_*` names count, as they resolve to
pg_catalog). Each one is written with the clients that sent it and the parameter values of its
first captured execution, so that `tests/corpus.rs` can replay it over the extended protocol.

Usage: tests/corpus/extract.py [path/to/client-corpus]   (default: ../shared/client-corpus)
"""
import glob
import hashlib
import json
import os
import re
import sys

here = os.path.dirname(os.path.abspath(__file__))
corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "../../../shared/client-corpus")
facts = json.load(open(os.path.join(corpus, "facts.json")))
relations = sorted({name.split(".", 1)[1] for name in facts["relations"]})
catalog_query = re.compile(
    r"(?i)(?<![\w'])(?:pg_catalog\.)?\"?(?:" + "|".join(map(re.escape, relations)) + r")\b"
    r"|information_schema\.\w+"
)


def parse_params(example):
    """`$1 = 'a''b', $2 = NULL` -> ["a'b", None]."""
    values = []
    i = 0
    while i < len(example):
        m = re.compile(r"\s*\$(\d+) = ").match(example, i)
        if not m:
            raise ValueError(f"unparsed parameters: {example!r}")
        if int(m.group(1)) != len(values) + 1:
            raise ValueError(f"parameters out of order: {example!r}")
        i = m.end()
        if example.startswith("NULL", i):
            values.append(None)
            i += 4
        else:
            assert example[i] == "'", example
            i += 1
            value = []
            while True:
                j = example.index("'", i)
                value.append(example[i:j])
                if example.startswith("''", j):
                    value.append("'")
                    i = j + 2
                else:
                    i = j + 1
                    break
            values.append("".join(value))
        if example.startswith(",", i):
            i += 1
    return values


queries = {}
for path in sorted(glob.glob(os.path.join(corpus, "*.jsonl"))):
    client = os.path.basename(path)[: -len(".jsonl")]
    for line in open(path):
        statement = json.loads(line)
        text = statement["text"]
        if not catalog_query.search(text):
            continue
        examples = statement.get("params_examples") or []
        params = parse_params(examples[0]) if examples else []
        key = (text, json.dumps(params))
        if key not in queries:
            digest = hashlib.sha256(key[0].encode() + b"\0" + key[1].encode()).hexdigest()[:10]
            queries[key] = {"id": digest, "clients": [], "sql": text, "params": params}
        queries[key]["clients"].append(client)

out = os.path.join(here, "catalog_queries.jsonl")
with open(out, "w") as f:
    for query in queries.values():
        f.write(json.dumps(query, ensure_ascii=False) + "\n")
print(f"{len(queries)} catalog queries -> {os.path.relpath(out)}")

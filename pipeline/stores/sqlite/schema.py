"""The embedded store's tables, from the graph model in ``schemas``.

Papers and concepts get an integer row id (``pid``, ``cid``) that every edge table uses: a
40,000-paper graph has ~600k paper edges and millions of co-occurring concept pairs, and
integer keys keep those tables and their indexes a fraction of the size of text keys.

Derived state is kept up to date by every write, for the papers and concepts it touches only:
``concepts.paper_count`` (distinct papers linked by a role), ``co_occurrence`` (one row per
concept pair, ``a`` the concept with the smaller key, ``weight`` = papers linked to both),
``concepts.neighbors`` (co-occurring concepts: the degree central-concepts ranks by) and
``concept_aliases`` (every alias's key, for queries by any name). Sentence-stated links are
kept per paper (``stated_links``); a link's weight and snippet are read from its papers.
"""

from __future__ import annotations

from schemas import CONCEPT, PAPER

SCHEMA_VERSION = "1"

# list-valued properties are JSON text, as in graph.graphml
JSON_COLUMNS = frozenset({"authors", "categories", "aliases"})

_PAPER_COLUMNS = ",\n  ".join(
    f"{name} TEXT NOT NULL UNIQUE" if name == PAPER.key else f"{name} TEXT NOT NULL"
    for name in PAPER.properties
)
_CONCEPT_COLUMNS = ",\n  ".join(
    f"{name} TEXT NOT NULL UNIQUE" if name == CONCEPT.key
    else f"{name} INTEGER NOT NULL DEFAULT 0" if name == "paper_count"
    else f"{name} TEXT NOT NULL"
    for name in CONCEPT.properties
)

DDL = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS papers (
  pid INTEGER PRIMARY KEY,
  {_PAPER_COLUMNS}
);
CREATE INDEX IF NOT EXISTS papers_date ON papers (date);
CREATE TABLE IF NOT EXISTS concepts (
  cid INTEGER PRIMARY KEY,
  {_CONCEPT_COLUMNS},
  neighbors INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS concepts_by_papers ON concepts (type, paper_count DESC, name, key);
CREATE INDEX IF NOT EXISTS concepts_by_neighbors
  ON concepts (type, neighbors DESC, paper_count DESC, name, key);
CREATE INDEX IF NOT EXISTS concepts_by_first_seen
  ON concepts (first_seen DESC, paper_count DESC, name, key);
CREATE INDEX IF NOT EXISTS concepts_name ON concepts (name);
CREATE TABLE IF NOT EXISTS concept_aliases (
  alias_key TEXT NOT NULL,
  cid INTEGER NOT NULL,
  PRIMARY KEY (alias_key, cid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS concept_aliases_by_concept ON concept_aliases (cid);
CREATE TABLE IF NOT EXISTS paper_concepts (
  pid INTEGER NOT NULL,
  cid INTEGER NOT NULL,
  role TEXT NOT NULL,
  count INTEGER NOT NULL,
  snippet TEXT NOT NULL,
  PRIMARY KEY (pid, cid, role)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS paper_concepts_by_concept ON paper_concepts (cid, role, pid);
CREATE TABLE IF NOT EXISTS stated_links (
  source INTEGER NOT NULL,
  target INTEGER NOT NULL,
  type TEXT NOT NULL,
  pid INTEGER NOT NULL,
  paper_id TEXT NOT NULL,
  snippet TEXT NOT NULL,
  PRIMARY KEY (source, target, type, paper_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stated_links_by_target ON stated_links (target, type, source);
CREATE INDEX IF NOT EXISTS stated_links_by_paper ON stated_links (pid);
CREATE TABLE IF NOT EXISTS co_occurrence (
  a INTEGER NOT NULL,
  b INTEGER NOT NULL,
  weight INTEGER NOT NULL,
  PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS co_occurrence_by_b ON co_occurrence (b, a);
"""

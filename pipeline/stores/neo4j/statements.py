"""The Cypher the Neo4j store runs.

Every label and relationship type comes from ``schemas`` (checked against them where a
statement is built from an argument); every value is a parameter.
"""

from __future__ import annotations

from schemas import CONCEPT, NODES, PAPER, RELATIONSHIPS, LinkType, RelSpec, Role

ROLE_TYPES: tuple[str, ...] = tuple(r.value for r in Role)
ROLES_PATTERN = "|".join(ROLE_TYPES)  # PROPOSES|USES|EVALUATES_ON|ADDRESSES, from schemas
STATED_TYPES: tuple[str, ...] = (LinkType.APPLIED_TO.value, LinkType.EVALUATED_ON.value)
STATED_PATTERN = "|".join(STATED_TYPES)
CO_OCCURS = LinkType.CO_OCCURS_WITH.value
RELATIONSHIP_TYPES: tuple[str, ...] = (*ROLE_TYPES, CO_OCCURS, *STATED_TYPES)
P, C = PAPER.label, CONCEPT.label

# -- connecting and the schema --------------------------------------------------------------

CHECK = "RETURN 1"
AWAIT_INDEXES = "CALL db.awaitIndexes(300)"


def schema_statements() -> list[str]:
    """Uniqueness constraints on the node keys and the indexes of schemas (idempotent)."""
    statements = []
    for spec in NODES:
        label = spec.label.lower()
        statements.append(
            f"CREATE CONSTRAINT {label}_{spec.key}_unique IF NOT EXISTS "
            f"FOR (n:{spec.label}) REQUIRE n.{spec.key} IS UNIQUE"
        )
        statements.extend(
            f"CREATE INDEX {label}_{prop} IF NOT EXISTS FOR (n:{spec.label}) ON (n.{prop})"
            for prop in spec.indexes
        )
    return statements


# -- loading (pipeline/stores/neo4j/loader.py) ----------------------------------------------

READ_HASHES = f"""
UNWIND $ids AS id
MATCH (p:{P} {{id: id}})
RETURN p.id AS id, p.content_hash AS content_hash
"""

UNSTATE = f"""
UNWIND $ids AS id
MATCH (:{P} {{id: id}})-[:{ROLES_PATTERN}]->(:{C})-[r:{STATED_PATTERN}]-(:{C})
WHERE id IN r.papers
WITH r, collect(DISTINCT id) AS gone
SET r.papers = [x IN r.papers WHERE NOT x IN gone]
SET r.weight = size(r.papers)
WITH r WHERE size(r.papers) = 0
DELETE r
"""

UPSERT_PAPERS = f"""
UNWIND $rows AS row
MERGE (p:{P} {{id: row.id}})
SET p = row
RETURN row.id AS key, elementId(p) AS id
"""

DROP_PAPER_EDGES = f"""
UNWIND $ids AS id
MATCH (p:{P} {{id: id}})-[r:{ROLES_PATTERN}]->(c:{C})
WITH id, r, c.key AS key, elementId(c) AS cid
DELETE r
RETURN id, collect(DISTINCT [key, cid]) AS keys
"""

# ``created``: no paper has the concept yet, so it has no CO_OCCURS_WITH relationship either
# (a pair's weight and both paper_counts change in the same transaction): new to the graph, or
# left with no papers and not yet removed as an orphan.
UPSERT_CONCEPTS = f"""
UNWIND $rows AS row
MERGE (c:{C} {{key: row.key}})
ON CREATE SET c.first_seen = $today, c.paper_count = 0
SET c.name = row.name, c.type = row.type, c.aliases = row.aliases
RETURN row.key AS key, elementId(c) AS id, c.paper_count = 0 AS created
"""


def merge_role_edges(role: str) -> str:
    if role not in ROLE_TYPES:
        raise ValueError(f"not a role: {role!r}")
    # The papers' edges were deleted earlier in the same transaction and the rows are
    # de-duplicated, so CREATE cannot duplicate (a MERGE would scan the dense concept side).
    # Nodes are found by the elementIds the upserts returned in this transaction: an O(1)
    # record read where a key lookup is an index seek (a quarter of the server's time).
    return f"""
UNWIND $rows AS row
MATCH (p) WHERE elementId(p) = row.p
MATCH (c) WHERE elementId(c) = row.c
CREATE (p)-[:{role} {{count: row.count, snippet: row.snippet}}]->(c)
"""


# CO_OCCURS_WITH weight changes, one row per concept pair (a, b: a < b, d: the change), in
# statements chosen so that no pair is looked up that cannot exist, a hub's relationship
# chain is not walked for every chunk, and only the (rare) losing pairs need an Eager
# (read/delete) barrier:
# - pairs with a concept created in this transaction cannot have a relationship yet: CREATE;
# - other pairs gaining weight: MERGE. With both endpoints bound, Expand(Into) walks the
#   endpoint with fewer CO_OCCURS_WITH relationships, so a pair (hub, rare concept) costs
#   the rare concept's few relationships. A pair of two hubs costs thousands, though, and
#   every chunk has hundreds of them: the store remembers the elementId of those
#   relationships (``hot``, see loader.py) and updates them by id (an O(1) seek, checked
#   against both endpoint keys, so a stale or reused id is never trusted; misses fall back
#   to MERGE);
# - pairs losing weight exist (their papers had both concepts): MATCH, and delete at 0.
CO_OCCURS_BY_ID = f"""
UNWIND $rows AS row
MATCH (a:{C})-[r:{CO_OCCURS}]->(b:{C})
WHERE elementId(r) = row.id AND a.key = row.a AND b.key = row.b
SET r.weight = r.weight + row.d
RETURN row.a AS a, row.b AS b
"""

CO_OCCURS_CREATE = f"""
UNWIND $rows AS row
MATCH (a) WHERE elementId(a) = row.ia
MATCH (b) WHERE elementId(b) = row.ib
CREATE (a)-[:{CO_OCCURS} {{weight: row.d}}]->(b)
"""

CO_OCCURS_ADD = f"""
UNWIND $rows AS row
MATCH (a) WHERE elementId(a) = row.ia
MATCH (b) WHERE elementId(b) = row.ib
MERGE (a)-[r:{CO_OCCURS}]->(b)
ON CREATE SET r.weight = row.d
ON MATCH SET r.weight = r.weight + row.d
WITH row, r WHERE row.hot
RETURN row.a AS a, row.b AS b, elementId(r) AS id
"""

CO_OCCURS_SUBTRACT = f"""
UNWIND $rows AS row
MATCH (a) WHERE elementId(a) = row.ia
MATCH (b) WHERE elementId(b) = row.ib
MATCH (a)-[r:{CO_OCCURS}]->(b)
SET r.weight = r.weight + row.d
WITH r WHERE r.weight <= 0
DELETE r
"""

# paper_count changes by the papers that gained the concept minus those that lost it
# (computed from the papers' old and new concept sets, like the co-occurrence deltas).
COUNT_DELTA = """
UNWIND $rows AS row
MATCH (c) WHERE elementId(c) = row.id
SET c.paper_count = c.paper_count + row.d
"""


def read_stated(link_type: str) -> str:
    if link_type not in STATED_TYPES:
        raise ValueError(f"not a stated link type: {link_type!r}")
    return f"""
UNWIND $rows AS row
MATCH (s:{C} {{key: row.source}})-[r:{link_type}]->(t:{C} {{key: row.target}})
RETURN s.key AS source, t.key AS target, r.papers AS papers, r.snippet AS snippet
"""


def write_stated(link_type: str) -> str:
    if link_type not in STATED_TYPES:
        raise ValueError(f"not a stated link type: {link_type!r}")
    return f"""
UNWIND $rows AS row
MATCH (s:{C} {{key: row.source}})
MATCH (t:{C} {{key: row.target}})
MERGE (s)-[r:{link_type}]->(t)
SET r.papers = row.papers, r.weight = size(row.papers), r.snippet = row.snippet
"""


DROP_ORPHANS = f"""
MATCH (c:{C})
WHERE NOT EXISTS {{ (c)<-[:{ROLES_PATTERN}]-(:{P}) }}
DETACH DELETE c
RETURN count(c) AS removed
"""


# -- reading --------------------------------------------------------------------------------

# a named query's paper or concept parameter, checked before the query runs
PAPER_EXISTS = f"MATCH (p:{P} {{id: $id}}) RETURN count(p) AS n"
CONCEPT_EXISTS = f"MATCH (c:{C} {{key: $key}}) RETURN count(c) AS n"
ALIASED_CONCEPTS = (
    f"MATCH (c:{C}) "
    "RETURN c.key AS key, [c.name] + c.aliases AS aliases, c.paper_count AS papers"
)


COUNT_PAPERS = f"MATCH (p:{P}) RETURN count(p) AS n"
CONCEPTS_BY_TYPE = f"MATCH (c:{C}) RETURN c.type AS type, count(c) AS n"


def count_relationships(rel: str) -> str:
    if rel not in RELATIONSHIP_TYPES:
        raise ValueError(f"not a relationship type: {rel!r}")
    return f"MATCH ()-[r:{rel}]->() RETURN count(r) AS n"


def export_nodes(label: str) -> str:
    if label not in {spec.label for spec in NODES}:
        raise ValueError(f"not a node label: {label!r}")
    return f"MATCH (n:{label}) RETURN properties(n) AS props"


def export_relationships(spec: RelSpec) -> str:
    """The relationships of one type of ``schemas``, with their endpoints' keys."""
    if spec not in RELATIONSHIPS:
        raise ValueError(f"not a relationship of schemas: {spec!r}")
    keys = {node.label: node.key for node in NODES}
    return (f"MATCH (s:{spec.source})-[r:{spec.type}]->(t:{spec.target}) "
            f"RETURN s.{keys[spec.source]} AS source, t.{keys[spec.target]} AS target, "
            "properties(r) AS props")

# the stored content hash of the given papers (those a run need not extract again)
PAPER_HASHES = f"""
UNWIND $ids AS id
MATCH (p:{P} {{id: id}})
RETURN p.id AS id, p.content_hash AS hash
"""

"""Loading a batch into Neo4j so that it holds exactly the graph the embedded store holds.

A write runs in four steps, each a series of managed write transactions
(``session.execute_write``, which the driver retries on transient errors) of
``UNWIND $rows ... MERGE`` statements of at most ``ROWS_PER_STATEMENT`` rows:

1. the papers of the batch that are already in the graph are taken out of every
   sentence-stated link (APPLIED_TO, EVALUATED_ON) that lists them; a link no paper states
   any more is deleted;
2. per chunk of ``PAPERS_PER_TRANSACTION`` papers, in ONE transaction: the Paper nodes are
   upserted, the old Paper->Concept edges of those already in the graph read and deleted,
   their concepts upserted (``first_seen`` only set on creation), their new edges created,
   and the CO_OCCURS_WITH weights and ``paper_count`` changed by the difference between the
   papers' old and new concept sets, computed here (so only the pairs and concepts these
   papers touch are written, never the whole graph; see ``CO_OCCURS_BY_ID`` in
   statements.py for how hub pairs are kept cheap);
3. the stated links of the batch are merged (``papers`` = sorted union, ``weight`` = its
   size, ``snippet`` as the embedded store picks it);
4. concepts no paper supports any more are deleted.

Because step 2 is one transaction per chunk, the co-occurrence weights always agree with the
Paper->Concept edges, even when the server dies mid-load; every step is safe to repeat, so
re-running the same input after a failure completes the load with no duplicates. One writer
at a time: two concurrent loads of the same papers can double-count co-occurrence deltas.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Protocol, TypeVar

import neo4j
from pydantic import BaseModel

from pipeline.stores.base import Row, StoreError, WriteSummary
from pipeline.stores.neo4j import statements as cypher
from schemas import GraphBatch, Paper

T = TypeVar("T")

ROWS_PER_STATEMENT = 10_000
PAPERS_PER_TRANSACTION = 2_000
HOT_SHARE = 0.005  # concepts in 0.5% of a chunk's papers: their pairs' relationship ids are kept


class Transactions(Protocol):
    """Runs ``work`` in a managed transaction (retried by the driver on transient errors);
    a driver or server error comes out as a one-line StoreError saying what was ``doing``."""

    def __call__(self, doing: str, work: Callable[[neo4j.ManagedTransaction], T], /) -> T: ...


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def paper_properties(paper: Paper) -> Row:
    """The Paper node's properties: the GraphML values, with lists as lists."""
    return {
        "id": paper.id,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": list(paper.authors),
        "date": paper.date.isoformat() if paper.date else "",
        "url": paper.url or "",
        "categories": list(paper.categories),
        "content_hash": paper.content_hash,
        "source": paper.source,
    }


class _StatedAdd(BaseModel):
    """All of a batch's statements of one link, folded the way the embedded store adds them."""

    ids: set[str]
    first: str  # the smallest paper id stating it in the batch
    snippet: str  # the snippet of the last statement by ``first``


def _fold_stated(batch: GraphBatch) -> dict[tuple[str, str, str], _StatedAdd]:
    folded: dict[tuple[str, str, str], _StatedAdd] = {}
    for link in batch.links:
        key = (link.type.value, link.source, link.target)
        current = folded.get(key)
        if current is None:
            folded[key] = _StatedAdd(ids={link.paper_id}, first=link.paper_id,
                                     snippet=link.snippet)
            continue
        current.ids.add(link.paper_id)
        if link.paper_id <= current.first:
            current.first, current.snippet = link.paper_id, link.snippet
    return folded


def _key_ids(result: neo4j.Result) -> dict[str, str]:
    return {record["key"]: record["id"] for record in result}


def _expect(result: neo4j.Result, counter: str, wanted: int) -> None:
    """Fail the transaction (so it rolls back) unless the statement changed ``wanted`` things:
    a node looked up by elementId was gone, which only a second writer can cause."""
    done = getattr(result.consume().counters, counter)
    if done != wanted:
        raise StoreError(
            f"the graph changed while loading ({counter} {done}, expected {wanted}): another "
            "process is writing to it; load again when it has finished"
        )


@dataclass(frozen=True)
class PaperChunk:
    """What one chunk's transaction writes (step 2), and what it needs to know of the write."""

    papers: Sequence[Paper]
    concept_rows: list[Row]  # the concepts this chunk upserts (each once per write)
    edges: list[Row]  # the papers' Paper->Concept edges
    today: str  # first_seen of a concept this creates
    existing: Mapping[str, str]  # paper id -> content_hash, of papers in the graph before
    known_ids: Mapping[str, str]  # concept key -> elementId, from the chunks committed before


@dataclass(frozen=True)
class Loaded:
    summary: WriteSummary
    rows: Counter[str]  # relationship rows sent, for bench/


def load(
    batch: GraphBatch,
    *,
    today: dt.date,
    read: Transactions,
    write: Transactions,
    hot: dict[tuple[str, str], str],
) -> Loaded:
    """Merge a batch the way NetworkxStore.write does; see the module docstring.

    ``hot`` is (concept a, concept b) -> elementId of their CO_OCCURS_WITH, for pairs of
    frequent concepts: a hint that outlives the write (checked on use, see CO_OCCURS_BY_ID)."""
    today_text = today.isoformat()
    summary = WriteSummary()
    rows_sent: Counter[str] = Counter()
    attempts: dict[int, Counter[str]] = {}
    ids = [p.id for p in batch.papers]

    def stats(chunk: int) -> Counter[str]:
        """Row counters for a chunk's transaction (a retried attempt starts again)."""
        counter: Counter[str] = Counter()
        attempts[chunk] = counter
        return counter

    existing: dict[str, str] = {}
    for chunk in _chunks(ids, ROWS_PER_STATEMENT):
        existing.update(read("reading papers", lambda tx, c=chunk: {
            r["id"]: r["content_hash"] for r in tx.run(cypher.READ_HASHES, ids=list(c))
        }))
    for paper in batch.papers:
        if paper.id not in existing:
            summary.papers_added += 1
        elif existing[paper.id] == paper.content_hash:
            summary.papers_unchanged += 1
        else:
            summary.papers_updated += 1

    # 1. take the batch's papers out of the links they stated before (a paper new to the
    # graph stated none)
    for chunk in _chunks([pid for pid in ids if pid in existing], ROWS_PER_STATEMENT):
        write("loading", lambda tx, c=chunk: tx.run(cypher.UNSTATE, ids=list(c)).consume())

    # 2. papers, their edges and the derived state, one transaction per chunk
    edges_by_paper: dict[str, list[Row]] = defaultdict(list)
    for edge in batch.paper_concepts:
        edges_by_paper[edge.paper_id].append(
            {"paper": edge.paper_id, "concept": edge.concept_key, "role": edge.role.value,
             "count": edge.count, "snippet": edge.snippet}
        )
    concepts = {c.key: c for c in batch.concepts}
    placed: set[str] = set()
    # concept key -> elementId, learnt from the committed chunks of this write (no node is
    # deleted before step 4, so they stay valid until then)
    concept_ids: dict[str, str] = {}
    paper_chunks = list(_chunks(batch.papers, PAPERS_PER_TRANSACTION))
    for index, papers in enumerate(paper_chunks):
        keys = [e["concept"] for p in papers for e in edges_by_paper[p.id]]
        if index == len(paper_chunks) - 1:  # concepts no edge names still get their update
            keys += list(concepts)
        rows = []
        for key in keys:
            if key in concepts and key not in placed:
                placed.add(key)
                c = concepts[key]
                rows.append({"key": c.key, "name": c.name, "type": c.type.value,
                             "aliases": list(c.aliases)})
        part = PaperChunk(papers=papers, concept_rows=rows,
                          edges=[e for p in papers for e in edges_by_paper[p.id]],
                          today=today_text, existing=existing, known_ids=concept_ids)
        # write_chunk is looked up when called, so a test can stand in for it
        concept_ids.update(write("loading", lambda tx, part=part, i=index: write_chunk(
            tx, part, stats=stats(i), hot=hot)))

    # 3. the links stated by the batch
    folded = _fold_stated(batch)
    items = sorted(folded.items())
    for chunk in _chunks(items, ROWS_PER_STATEMENT):
        write("loading", lambda tx, c=chunk: _merge_stated(tx, c))
    rows_sent["stated_link_rows"] = len(items)
    for counted in attempts.values():
        rows_sent.update(counted)

    # 4. concepts no paper supports any more
    summary.concepts_removed = write(
        "loading", lambda tx: tx.run(cypher.DROP_ORPHANS).single(strict=True)["removed"]
    )
    return Loaded(summary=summary, rows=rows_sent)


def write_chunk(
    tx: neo4j.ManagedTransaction,
    part: PaperChunk,
    *,
    stats: Counter[str],
    hot: dict[tuple[str, str], str],
) -> dict[str, str]:
    """One chunk's transaction; returns the elementIds of the concepts it upserted.

    ``stats`` counts the rows this attempt sends; ``hot`` is updated with the pairs it finds
    hot and loses the pairs it weakens."""
    papers, concept_rows, edges = part.papers, part.concept_rows, part.edges
    existing, known_ids = part.existing, part.known_ids
    ids = [p.id for p in papers]
    stats["paper_edge_rows"] += len(edges)
    paper_ids: dict[str, str] = {}
    for chunk in _chunks([paper_properties(p) for p in papers], ROWS_PER_STATEMENT):
        paper_ids.update(_key_ids(tx.run(cypher.UPSERT_PAPERS, rows=list(chunk))))
    node_ids = dict(known_ids)  # concept key -> elementId, for this transaction
    old: dict[str, set[str]] = {pid: set() for pid in ids}
    # only papers that were in the graph before this write can have edges to drop
    for chunk in _chunks([pid for pid in ids if pid in existing], ROWS_PER_STATEMENT):
        for record in tx.run(cypher.DROP_PAPER_EDGES, ids=list(chunk)):
            old[record["id"]] = {key for key, _ in record["keys"]}
            node_ids.update((key, cid) for key, cid in record["keys"])
    upserted: dict[str, str] = {}
    created: set[str] = set()  # concepts with no papers (and so no pairs) before this
    for chunk in _chunks(concept_rows, ROWS_PER_STATEMENT):
        for record in tx.run(cypher.UPSERT_CONCEPTS, rows=list(chunk), today=part.today):
            upserted[record["key"]] = record["id"]
            if record["created"]:
                created.add(record["key"])
    node_ids.update(upserted)
    new: dict[str, set[str]] = {pid: set() for pid in ids}
    by_role: dict[str, list[Row]] = defaultdict(list)
    latest = {(e["paper"], e["concept"], e["role"]): e for e in edges}  # the last one wins
    for edge in latest.values():
        if edge["concept"] not in node_ids:
            continue  # a concept the batch does not define: nothing to link to
        by_role[edge["role"]].append(
            {"p": paper_ids[edge["paper"]], "c": node_ids[edge["concept"]],
             "count": edge["count"], "snippet": edge["snippet"]})
        new.setdefault(edge["paper"], set()).add(edge["concept"])
    for role in cypher.ROLE_TYPES:  # types from schemas, never from the rows
        for chunk in _chunks(by_role.get(role, []), ROWS_PER_STATEMENT):
            _expect(tx.run(cypher.merge_role_edges(role), rows=list(chunk)),
                    "relationships_created", len(chunk))

    # CO_OCCURS_WITH is stored from the smaller key to the larger, weight = papers with
    # both: change it by (pairs of the new concept sets) - (pairs of the old ones).
    # paper_count likewise: + papers that gained the concept - papers that lost it.
    delta: Counter[tuple[str, str]] = Counter()
    counts: Counter[str] = Counter()
    for pid in new.keys() | old.keys():
        before, after = old.get(pid, set()), new.get(pid, set())
        if before == after:
            continue
        delta.update(combinations(sorted(after), 2))
        delta.subtract(combinations(sorted(before), 2))
        counts.update(after - before)
        counts.subtract(before - after)
    pairs: dict[str, list[Row]] = defaultdict(list)
    for (a, b), d in sorted(delta.items()):
        if d:
            kind = ("subtract" if d < 0 else
                    "create" if a in created or b in created else "add")
            pairs[kind].append({"a": a, "b": b, "ia": node_ids[a], "ib": node_ids[b],
                                "d": d})
    stats["co_occurrence_rows"] += sum(len(rows) for rows in pairs.values())
    # a pair is "hot" when both concepts are in HOT_SHARE of the chunk's papers
    papers_with: Counter[str] = Counter(k for keys in new.values() for k in keys)
    hot_min = max(2, HOT_SHARE * len(ids))
    by_id = [dict(row, id=hot[(row["a"], row["b"])]) for row in pairs["add"]
             if (row["a"], row["b"]) in hot]
    found: set[tuple[str, str]] = set()
    for chunk in _chunks(by_id, ROWS_PER_STATEMENT):
        found.update((r["a"], r["b"]) for r in tx.run(cypher.CO_OCCURS_BY_ID, rows=list(chunk)))
    add = [dict(row, hot=papers_with[row["a"]] >= hot_min
                and papers_with[row["b"]] >= hot_min)
           for row in pairs["add"] if (row["a"], row["b"]) not in found]
    for chunk in _chunks(add, ROWS_PER_STATEMENT):
        hot.update(((r["a"], r["b"]), r["id"]) for r in tx.run(cypher.CO_OCCURS_ADD,
                                                              rows=list(chunk)))
    for row in pairs["subtract"]:
        hot.pop((row["a"], row["b"]), None)
    for chunk in _chunks(pairs["subtract"], ROWS_PER_STATEMENT):
        tx.run(cypher.CO_OCCURS_SUBTRACT, rows=list(chunk)).consume()
    for chunk in _chunks(pairs["create"], ROWS_PER_STATEMENT):
        _expect(tx.run(cypher.CO_OCCURS_CREATE, rows=list(chunk)),
                "relationships_created", len(chunk))
    changed = [{"id": node_ids[k], "d": d} for k, d in sorted(counts.items()) if d]
    for chunk in _chunks(changed, ROWS_PER_STATEMENT):
        _expect(tx.run(cypher.COUNT_DELTA, rows=list(chunk)), "properties_set", len(chunk))
    return upserted


def _merge_stated(
    tx: neo4j.ManagedTransaction,
    items: Sequence[tuple[tuple[str, str, str], _StatedAdd]],
) -> None:
    for link_type in cypher.STATED_TYPES:
        wanted = [(k, add) for k, add in items if k[0] == link_type]
        if not wanted:
            continue
        keys = [{"source": k[1], "target": k[2]} for k, _ in wanted]
        current = {
            (r["source"], r["target"]): (list(r["papers"]), r["snippet"])
            for r in tx.run(cypher.read_stated(link_type), rows=keys)
        }
        rows = []
        for (_, source, target), add in wanted:
            papers, snippet = current.get((source, target), ([], add.snippet))
            # the embedded store takes a statement's snippet when its paper is then the
            # smallest id stating the link
            if not papers or add.first <= min(papers):
                snippet = add.snippet
            rows.append({"source": source, "target": target,
                         "papers": sorted({*papers, *add.ids}), "snippet": snippet})
        tx.run(cypher.write_stated(link_type), rows=rows).consume()

// name: related-work
// purpose: Papers related to a given paper, ranked by the concepts they share. A shared
//   concept weighs ln(N / papers mentioning it), so rare shared concepts count more than
//   common ones; each row lists the shared concepts with the other paper's role.
//   Computed exactly, choosing the cheaper of two plans from the count store and the
//   concepts' paper counts: (a) the paper's rarest concepts (together in at most 2,000 other
//   papers, or as many as it takes to reach `limit` papers) give the candidates, each scored
//   over its own concepts; a paper sharing none of them scores at most the summed weight of
//   the other concepts, so when the last of the top `limit` candidates scores more than
//   that, no other paper can enter; (b) every paper sharing a concept is scored, walking
//   each concept's papers once. (b) runs when it reads fewer relationships than (a) would,
//   or when (a) cannot prove its answer exact.
// param paper: str (required) - the paper id: an arXiv id, else t-<hash> (papers-for lists them)
// param limit: int = 10 - rows to return
// example: paperkg query related-work --param paper=t-2e1fd646a0e1
// (both counts come from the count store)
WITH COUNT { (:Paper) } AS n, COUNT { ()-[:PROPOSES|USES|EVALUATES_ON|ADDRESSES]->() } AS edges
MATCH (p:Paper {id: $paper})-[:PROPOSES|USES|EVALUATES_ON|ADDRESSES]->(c:Concept)
WITH p, edges, n, c, log(toFloat(n) / c.paper_count) AS weight
ORDER BY c.paper_count, c.key
WITH p, edges, n, collect({c: c, weight: weight, papers: c.paper_count}) AS cs
// other papers sharing the rarest 1, 2, ... concepts (counted with repeats)
WITH p, edges, n, cs,
     [i IN range(0, size(cs) - 1) | reduce(t = 0, x IN cs[0..i + 1] | t + x.papers - 1)] AS reach
// expand the rarest concepts while they reach at most 2,000 papers, and at least until they
// reach `limit` papers (or all concepts)
WITH p, edges, n, cs, reach, size([r IN reach WHERE r <= 2000]) AS cheap,
     size([r IN reach WHERE r < $limit]) + 1 AS needed
WITH p, edges, n, cs, reach,
     CASE WHEN cheap >= needed THEN cheap WHEN needed > size(cs) THEN size(cs) ELSE needed END
     AS cut
// plan (a) reads each candidate's paper edges (edges / n per paper), plan (b) each concept's
WITH p, cs, cut, reduce(b = 0.0, x IN cs[cut..] | b + x.weight) AS bound,
     cut < size(cs) AND reach[cut - 1] * (1.0 + toFloat(edges) / n)
                        < reduce(t = 0, x IN cs | t + x.papers) AS by_candidates
CALL (p, cs, cut, by_candidates) {
  UNWIND CASE WHEN by_candidates THEN cs[0..cut] ELSE [] END AS rare
  WITH p, cs, rare.c AS c
  // (only papers have these relationships, and only to concepts: no label checks)
  MATCH (c)<-[:PROPOSES|USES|EVALUATES_ON|ADDRESSES]-(other)
  WHERE other <> p
  WITH cs, collect(DISTINCT other) AS candidates
  UNWIND candidates AS other
  MATCH (other)-[:PROPOSES|USES|EVALUATES_ON|ADDRESSES]->(c)
  UNWIND [x IN cs WHERE x.c = c] AS x
  WITH other, round(sum(x.weight), 4) AS score, count(*) AS shared_count
  ORDER BY score DESC, shared_count DESC, other.id
  LIMIT $limit
  RETURN collect({other: other, score: score, shared_count: shared_count}) AS top
}
WITH p, cs, top,
     $limit = 0 OR (by_candidates AND size(top) = $limit
                    AND top[size(top) - 1].score > round(bound, 4)) AS exact
CALL (p, cs, top, exact) {
  WITH top, exact WHERE exact
  UNWIND top AS t
  RETURN t.other AS other, t.score AS score, t.shared_count AS shared_count
  UNION ALL
  WITH p, cs, exact WHERE NOT exact
  UNWIND cs AS x
  WITH p, x.c AS c, x.weight AS weight
  MATCH (c)<-[:PROPOSES|USES|EVALUATES_ON|ADDRESSES]-(other)
  WHERE other <> p
  WITH other, round(sum(weight), 4) AS score, count(*) AS shared_count
  // the `limit`-th best (score, shared_count) first, so that only the papers reaching it
  // have their id read for the tie-break
  WITH collect({other: other, score: score, shared_count: shared_count}) AS scored
  CALL (scored) {
    UNWIND scored AS s
    WITH s ORDER BY s.score DESC, s.shared_count DESC LIMIT $limit
    RETURN last(collect(s)) AS kth
  }
  UNWIND scored AS s
  WITH s WHERE s.score > kth.score OR (s.score = kth.score AND s.shared_count >= kth.shared_count)
  WITH s.other AS other, s.score AS score, s.shared_count AS shared_count
  ORDER BY score DESC, shared_count DESC, other.id
  LIMIT $limit
  RETURN other, score, shared_count
}
CALL (p, other) {
  MATCH (p)-[:PROPOSES|USES|EVALUATES_ON|ADDRESSES]->(c:Concept)
        <-[r:PROPOSES|USES|EVALUATES_ON|ADDRESSES]-(other)
  WITH c, type(r) AS role
  ORDER BY c.name, c.key
  RETURN collect({concept: c.name, type: c.type, role: role}) AS shared
}
RETURN other.id AS paper, other.title AS title, score, shared_count,
       shared AS shared_concepts
ORDER BY score DESC, shared_count DESC, paper

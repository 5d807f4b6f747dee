// name: related-work
// purpose: Papers related to a given paper, ranked by the concepts they share. A shared
//   concept weighs ln(N / papers mentioning it), so rare shared concepts count more than
//   common ones; each row lists the shared concepts with the other paper's role.
//   Computed exactly, without visiting every paper that shares a common concept: the
//   paper's rarest concepts (together in at most 2,000 other papers, or as many as it takes
//   to reach `limit` papers) give the candidates, each scored over all the paper's concepts;
//   a paper sharing none of them scores at most the summed weight of the other concepts, so
//   when the last of the top `limit` candidates scores more than that, no other paper can
//   enter. Otherwise (rare) every paper sharing a concept is scored.
// param paper: str (required) - the paper id, e.g. an arXiv id
// param limit: int = 10 - rows to return
// example: paperkg query related-work --param paper=2303.11366
MATCH (any:Paper)
WITH count(any) AS n
MATCH (p:Paper {id: $paper})-[:PROPOSES|USES|EVALUATES_ON|ADDRESSES]->(c:Concept)
WITH p, c, log(toFloat(n) / c.paper_count) AS weight
ORDER BY c.paper_count, c.key
WITH p, collect({c: c, weight: weight, papers: c.paper_count}) AS cs
// other papers sharing the rarest 1, 2, ... concepts (counted with repeats)
WITH p, cs, [i IN range(0, size(cs) - 1) | reduce(t = 0, x IN cs[0..i + 1] | t + x.papers - 1)]
     AS reach
// expand the rarest concepts while they reach at most 2,000 papers, and at least until they
// reach `limit` papers (or all concepts)
WITH p, cs, size([r IN reach WHERE r <= 2000]) AS cheap,
     size([r IN reach WHERE r < $limit]) + 1 AS needed
WITH p, cs, CASE WHEN cheap >= needed THEN cheap
                 WHEN needed > size(cs) THEN size(cs) ELSE needed END AS cut
WITH p, cs, cut, reduce(b = 0.0, x IN cs[cut..] | b + x.weight) AS bound
CALL (p, cs, cut) {
  // (when the cut takes every concept, the second CALL scores every sharing paper at once)
  UNWIND CASE WHEN cut < size(cs) THEN cs[0..cut] ELSE [] END AS rare
  WITH p, cs, rare.c AS c
  MATCH (c)<-[:PROPOSES|USES|EVALUATES_ON|ADDRESSES]-(other:Paper)
  WHERE other <> p
  WITH cs, collect(DISTINCT other) AS candidates
  UNWIND candidates AS other
  MATCH (other)-[:PROPOSES|USES|EVALUATES_ON|ADDRESSES]->(c:Concept)
  UNWIND [x IN cs WHERE x.c = c] AS x
  WITH other, round(sum(x.weight), 4) AS score, count(*) AS shared_count
  ORDER BY score DESC, shared_count DESC, other.id
  LIMIT $limit
  RETURN collect({other: other, score: score, shared_count: shared_count}) AS top
}
WITH p, cs, top,
     $limit = 0 OR (cut < size(cs) AND size(top) = $limit
                    AND top[size(top) - 1].score > round(bound, 4)) AS exact
CALL (p, cs, top, exact) {
  WITH top, exact WHERE exact
  UNWIND top AS t
  RETURN t.other AS other, t.score AS score, t.shared_count AS shared_count
  UNION ALL
  WITH p, cs, exact WHERE NOT exact
  UNWIND cs AS x
  WITH p, x.c AS c, x.weight AS weight
  MATCH (c)<-[:PROPOSES|USES|EVALUATES_ON|ADDRESSES]-(other:Paper)
  WHERE other <> p
  WITH other, round(sum(weight), 4) AS score, count(*) AS shared_count
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

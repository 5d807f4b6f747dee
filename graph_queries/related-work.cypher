// name: related-work
// purpose: Papers related to a given paper, ranked by the concepts they share. A shared
//   concept weighs ln(N / papers mentioning it), so rare shared concepts count more than
//   common ones; each row lists the shared concepts with the other paper's role.
// param paper: str (required) - the paper id, e.g. an arXiv id
// param limit: int = 10 - rows to return
// example: paperkg query related-work --param paper=2303.11366
MATCH (all:Paper)
WITH count(all) AS n
MATCH (p:Paper {id: $paper})-[:PROPOSES|USES|EVALUATES_ON|ADDRESSES]->(c:Concept)
      <-[r:PROPOSES|USES|EVALUATES_ON|ADDRESSES]-(other:Paper)
WHERE other <> p
WITH n, other, c, type(r) AS role
ORDER BY c.name
WITH other,
     sum(log(toFloat(n) / c.paper_count)) AS score,
     collect({concept: c.name, type: c.type, role: role}) AS shared
RETURN other.id AS paper, other.title AS title, round(score, 4) AS score,
       size(shared) AS shared_count, shared AS shared_concepts
ORDER BY score DESC, shared_count DESC, paper
LIMIT $limit

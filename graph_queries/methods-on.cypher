// name: methods-on
// purpose: Methods evaluated on a dataset or benchmark. A method is listed when a paper
//   that evaluates on the concept (EVALUATES_ON) also proposes or uses the method, or when
//   a sentence states it (method -EVALUATED_ON-> concept). papers = such papers;
//   stated = papers stating the link (0 when none), evidence = its sentence.
// param concept: concept (required) - a dataset or benchmark name or key; variants are normalized
// param limit: int = 20 - rows to return
// example: paperkg query methods-on --param concept=WebArena
MATCH (d:Concept {key: $concept})
CALL (d) {
  MATCH (d)<-[:EVALUATES_ON]-(:Paper)-[:PROPOSES|USES]->(m:Concept)
  RETURN m
  UNION
  MATCH (m:Concept)-[:EVALUATED_ON]->(d)
  RETURN m
}
WITH d, m
WHERE m.type = 'METHOD' AND m <> d
OPTIONAL MATCH (m)-[s:EVALUATED_ON]->(d)
WITH m, s,
     COUNT { MATCH (d)<-[:EVALUATES_ON]-(p:Paper)-[:PROPOSES|USES]->(m) RETURN DISTINCT p }
       AS papers
RETURN m.name AS method, m.key AS key, papers, coalesce(s.weight, 0) AS stated,
       s.snippet AS evidence
ORDER BY papers DESC, stated DESC, method, key
LIMIT $limit

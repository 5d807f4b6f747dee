// name: tasks-for-method
// purpose: Tasks a method is used for. A task is listed when a paper that proposes or uses
//   the method also addresses the task (ADDRESSES), or when a sentence states it
//   (method -APPLIED_TO-> task). papers = such papers; stated = papers stating the link
//   (0 when none), evidence = its sentence.
// param concept: concept (required) - a method name or key; variants are normalized
// param limit: int = 20 - rows to return
// example: paperkg query tasks-for-method --param concept="large language model"
MATCH (m:Concept {key: $concept})
CALL (m) {
  MATCH (m)<-[:PROPOSES|USES]-(:Paper)-[:ADDRESSES]->(t:Concept)
  RETURN t
  UNION
  MATCH (m)-[:APPLIED_TO]->(t:Concept)
  RETURN t
}
WITH m, t
WHERE t.type = 'TASK' AND t <> m
OPTIONAL MATCH (m)-[s:APPLIED_TO]->(t)
WITH t, s,
     COUNT { MATCH (m)<-[:PROPOSES|USES]-(p:Paper)-[:ADDRESSES]->(t) RETURN DISTINCT p }
       AS papers
RETURN t.name AS task, t.key AS key, papers, coalesce(s.weight, 0) AS stated,
       s.snippet AS evidence
ORDER BY papers DESC, stated DESC, task, key
LIMIT $limit

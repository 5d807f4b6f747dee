// name: concept-neighbors
// purpose: Concepts linked to a concept: co-occurrence in the same papers (weight = number
//   of papers) and sentence-stated links (APPLIED_TO, EVALUATED_ON; weight = papers).
// param concept: concept (required) - a concept name or key; variants are normalized
// param limit: int = 20 - rows to return
// example: paperkg query concept-neighbors --param concept="large language model"
MATCH (c:Concept {key: $concept})-[r:CO_OCCURS_WITH|APPLIED_TO|EVALUATED_ON]-(other:Concept)
RETURN other.name AS concept, other.type AS type, type(r) AS relation,
       CASE WHEN startNode(r) = c THEN 'out' ELSE 'in' END AS direction,
       r.weight AS weight
ORDER BY weight DESC, relation, concept, direction, other.key
LIMIT $limit

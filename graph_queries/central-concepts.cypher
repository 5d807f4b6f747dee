// name: central-concepts
// purpose: The most central concepts per concept type: those co-occurring with the most
//   distinct other concepts (degree in the CO_OCCURS_WITH graph), ties broken by the
//   number of papers mentioning them.
// param type: str = null - METHOD, DATASET, BENCHMARK, TASK or METRIC; all types when absent
// param limit: int = 10 - concepts per type
// example: paperkg query central-concepts --param type=TASK --param limit=5
MATCH (c:Concept)
WHERE $type IS NULL OR c.type = $type
WITH c, COUNT { (c)-[:CO_OCCURS_WITH]-(:Concept) } AS neighbors
ORDER BY neighbors DESC, c.paper_count DESC, c.name, c.key
WITH c.type AS type, collect({concept: c, neighbors: neighbors})[..$limit] AS top
UNWIND top AS t
RETURN type, t.concept.name AS concept, t.concept.key AS key, t.neighbors AS neighbors,
       t.concept.paper_count AS papers
ORDER BY type, neighbors DESC, papers DESC, concept, key

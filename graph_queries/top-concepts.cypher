// name: top-concepts
// purpose: The concepts mentioned by the most papers, per concept type.
// param type: str = null - METHOD, DATASET, BENCHMARK, TASK or METRIC; all types when absent
// param limit: int = 10 - concepts per type
// example: paperkg query top-concepts --param type=METHOD --param limit=5
MATCH (c:Concept)
WHERE $type IS NULL OR c.type = $type
WITH c
ORDER BY c.paper_count DESC, c.name, c.key
WITH c.type AS type, collect(c)[..$limit] AS top
UNWIND top AS c
RETURN type, c.name AS concept, c.key AS key, c.paper_count AS papers
ORDER BY type, papers DESC, concept, key

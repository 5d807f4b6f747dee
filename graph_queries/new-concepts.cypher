// name: new-concepts
// purpose: Concepts first seen in the last N days: first_seen (the date of the run that
//   added the concept, YYYY-MM-DD) from today minus N days to today. Newest first.
// param days: int = 7 - how many days back from today
// param today: str = null - the date to count back from, YYYY-MM-DD; today when absent
// param type: str = null - only this concept type (METHOD, DATASET, BENCHMARK, TASK, METRIC)
// param limit: int = 50 - rows to return
// example: paperkg query new-concepts --param days=30 --param type=BENCHMARK
WITH coalesce(date($today), date()) AS today
WITH toString(today - duration({days: $days})) AS since, toString(today) AS until
MATCH (c:Concept)
WHERE since <= c.first_seen <= until AND ($type IS NULL OR c.type = $type)
RETURN c.name AS concept, c.key AS key, c.type AS type, c.first_seen AS first_seen,
       c.paper_count AS papers
ORDER BY first_seen DESC, papers DESC, concept, key
LIMIT $limit

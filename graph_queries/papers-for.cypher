// name: papers-for
// purpose: Papers linked to a concept, grouped by role (PROPOSES, USES, EVALUATES_ON,
//   ADDRESSES), with the sentence that decided the role.
// param concept: concept (required) - a concept name or key; variants are normalized
// param role: str = null - only this role
// param limit: int = 50 - rows to return
// example: paperkg query papers-for --param concept=WebArena --param role=EVALUATES_ON
MATCH (c:Concept {key: $concept})<-[r:PROPOSES|USES|EVALUATES_ON|ADDRESSES]-(p:Paper)
WHERE $role IS NULL OR type(r) = $role
RETURN type(r) AS role, p.id AS paper, p.title AS title, r.count AS mentions,
       r.snippet AS evidence
ORDER BY role, mentions DESC, paper
LIMIT $limit

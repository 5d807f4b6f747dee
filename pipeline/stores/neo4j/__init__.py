"""The Neo4j store: settings (where and how to log in), statements (the Cypher), loader (how a
batch is merged), store (Neo4jStore)."""

"""Where the graph is kept: the embedded GraphML file (embedded.py) and Neo4j (neo4j/)."""

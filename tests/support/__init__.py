"""What the tests share; no test module imports another test module, only these.

* ``browser``: the ``chromium`` and ``offline_page`` fixtures (plugin).
* ``cli``: ``PAPERKG`` (the command for a subprocess), ``run_cli`` (the command in this
  process) and the ``prefect_api`` fixture (plugin).
* ``neo4j_fixtures``: ``neo4j_server``, ``clean_neo4j``, ``neo4j_driver`` (plugin).
* ``neo4j_server``: the test Neo4j harness itself; ``check_neo4j_harness.py`` checks it.
* ``feed_server``: a loopback HTTP server for live-source tests.
* ``graph_compare``: the sample as a GraphBatch, and both stores as comparable dicts.
* ``samples``: the bundled sample as the extraction tests read it, and an arXiv Atom feed.
* ``maps``: small graphs for the map (pipeline.visualize) tests.

tests/conftest.py loads the plugins for every test.
"""

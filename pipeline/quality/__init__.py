"""Measuring and improving extraction, apart from the pipeline that uses it.

- ``evaluate``: score an extractor against annotated abstracts (``paperkg evaluate``);
- ``training``: train the shipped NER from the annotated data (``paperkg train``);
- ``corpora``: realistic corpora of any size built from real abstracts, for benchmarks and for
  the tests that need more papers than the sample (``python -m pipeline.quality.corpora``).
"""

"""``BlasOps`` (``pipeline.extract.blas``): the shipped NER multiplies with NumPy's BLAS on one
thread, and gives the products and the entities thinc's own ops give."""

from __future__ import annotations

import numpy
import pytest
from thinc.api import NumpyOps
from threadpoolctl import threadpool_info

from pipeline.extract.blas import BlasOps
from pipeline.extract.model import load_model
from tests.support.samples import sample_papers


@pytest.mark.parametrize("trans1", [False, True])
@pytest.mark.parametrize("trans2", [False, True])
def test_gemm_is_thincs_product(trans1: bool, trans2: bool) -> None:
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((7, 5) if not trans1 else (5, 7)).astype("f")
    y = rng.standard_normal((5, 3) if not trans2 else (3, 5)).astype("f")
    expected = NumpyOps().gemm(x, y, trans1=trans1, trans2=trans2)
    got = BlasOps().gemm(x, y, trans1=trans1, trans2=trans2)
    assert got.dtype == numpy.float32 and got.shape == (7, 3)
    numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    out = numpy.zeros((7, 3), dtype="f")
    assert BlasOps().gemm(x, y, out=out, trans1=trans1, trans2=trans2) is out
    numpy.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_gemm_runs_on_one_blas_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    threads_seen: list[int] = []
    matmul = numpy.matmul

    def recording_matmul(*args: object, **kwargs: object) -> object:
        threads_seen.extend(lib["num_threads"] for lib in threadpool_info()
                            if lib["user_api"] == "blas")
        return matmul(*args, **kwargs)

    monkeypatch.setattr(numpy, "matmul", recording_matmul)
    x = numpy.ones((4, 4), dtype="f")
    BlasOps().gemm(x, x)
    assert threads_seen and set(threads_seen) == {1}


def test_the_shipped_ner_uses_it_and_finds_what_thincs_ops_find() -> None:
    nlp = load_model()
    ner = nlp.get_pipe("ner")
    assert {type(node.ops) for node in ner.model.walk()} == {BlasOps}
    texts = [t for p in sample_papers()[:20] for t in (p.title, p.abstract)]
    with_blas = [[(e.start, e.end, e.label_) for e in doc.ents] for doc in nlp.pipe(texts)]
    for node in ner.model.walk():
        node.ops = NumpyOps()
    with_blis = [[(e.start, e.end, e.label_) for e in doc.ents] for doc in nlp.pipe(texts)]
    assert sum(map(len, with_blas)) > 100
    assert with_blas == with_blis

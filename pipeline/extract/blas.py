"""thinc's matrix products through the BLAS NumPy ships with, one thread per process.

thinc's CPU ops multiply with blis. On this project's machines (x86-64 with AVX-512) the blis
wheel runs the NER's products, (tokens x 192) by (192 x 192), about 3x slower than NumPy's
OpenBLAS, both on one thread (12,800 rows: 39 ms against 12 ms), and those products are a third
of an extraction. ``BlasOps`` changes only ``gemm``; the products are the same up to float
rounding, and the extraction of ``bench/extract_speed.py``'s 565 distinct papers is identical.

One thread: paperkg spreads work over processes, one per core (``ModelExtractor.n_process``);
a BLAS thread pool in each would compete with the other workers for the same cores.
"""

from __future__ import annotations

import numpy
from spacy.language import Language
from thinc.api import NumpyOps
from thinc.types import Floats2d
from threadpoolctl import ThreadpoolController

__all__ = ["BlasOps", "use_blas_ops"]


class BlasOps(NumpyOps):
    """``NumpyOps`` whose ``gemm`` is ``numpy.matmul`` on one BLAS thread."""

    name = "paperkg_blas"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._blas = ThreadpoolController()

    def gemm(
        self,
        x: Floats2d,
        y: Floats2d,
        out: Floats2d | None = None,
        trans1: bool = False,
        trans2: bool = False,
    ) -> Floats2d:
        with self._blas.limit(limits=1, user_api="blas"):
            return numpy.matmul(x.T if trans1 else x, y.T if trans2 else y, out=out)


def use_blas_ops(nlp: Language) -> Language:
    """Give every CPU layer of ``nlp``'s trained components ``BlasOps`` (GPU layers keep theirs)."""
    ops = BlasOps()
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            if type(node.ops) is NumpyOps:
                node.ops = ops
    return nlp

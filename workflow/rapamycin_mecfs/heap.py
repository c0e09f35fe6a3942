"""Keep Python's cyclic garbage collector away from objects that live until the process ends.

Snakemake's planning process and every job's process import large libraries (Snakemake and its
plugins; pandas, scipy, statsmodels, seaborn). Their objects (150,000 to 190,000 of them) stay
alive until the process exits. Each full collection walks every one of them, and the interpreter
runs several full collections while it shuts down. On the reference 2-core machine, shutting down
took 0.6-0.8 s in a job process that had imported the analysis libraries, against 0.07 s with
them frozen. In a no-op rerun, freezing at planning and at exit took the median from 3.6 s to
2.4 s (docs/performance.md). ``gc.freeze()`` moves the objects alive at the call into a permanent
generation that collections skip. Objects created afterwards are collected as usual.

The cost is what the collector no longer does for frozen objects. Garbage in reference cycles
among them is not freed, which bounds the leak by what exists at the call. At exit, cyclic
objects are not finalised. Nothing here relies on that: outputs are closed explicitly
(:mod:`rapamycin_mecfs.atomic`), logging flushes its handlers in its own exit hook, and
``weakref.finalize`` callbacks (temporary directories) run from theirs.

Standard library only: ``common.smk`` calls it while Snakemake plans.
"""

from __future__ import annotations

import atexit
import gc

__all__ = ["freeze_long_lived_objects"]


def freeze_long_lived_objects() -> None:
    """Freeze every object alive now, and every object still alive when the process exits.

    Call it once per process, after its large imports. The exit hook runs before interpreter
    shutdown, so shutdown's own collections have almost nothing left to walk.

    Examples
    --------
    >>> import gc
    >>> freeze_long_lived_objects()
    >>> gc.get_freeze_count() > 0
    True
    >>> gc.unfreeze()  # a doctest shares its process; give the collector its objects back
    """
    gc.freeze()
    atexit.register(gc.freeze)

"""Other CPUs on this CPU: the numeric libraries' code paths a different machine would take.

The parity tests compare pyodemo with numpy, scikit-learn and scikit-image, whose last
bits depend on the code path the machine selects at run time:

* **OpenBLAS** (numpy's BLAS; scikit-learn's libsvm takes its dot products from it)
  picks a kernel per CPU family; ``OPENBLAS_CORETYPE`` forces another one.
* **glibc's libm** (``exp``, ``pow``, ``tanh`` for libsvm and for Python's ``math``)
  picks FMA or plain SSE variants; ``GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA,...``
  masks the features so the plain ones run.
* **numpy's SIMD dispatch** (``sin``, ``cos``, ``exp``, sums) has AVX-512, AVX2 and
  baseline loops; ``NPY_DISABLE_CPU_FEATURES`` turns the wider ones off.

:func:`variants` lists each path this CPU can execute (a kernel needs the
instructions it uses: read from ``/proc/cpuinfo``), with the reason when one cannot
run here.  :func:`run` runs a Python module in a subprocess under one of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: OpenBLAS core types (DYNAMIC_ARCH builds) and the CPU flags each one's kernels need.
OPENBLAS_CORES = {
    "Nehalem": ("sse4_2",),
    "Sandybridge": ("avx",),
    "Haswell": ("avx2", "fma"),
    "Zen": ("avx2", "fma"),
    "SkylakeX": ("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"),
    "Cooperlake": ("avx512f", "avx512bw", "avx512vl", "avx512_bf16"),
}


@dataclass(frozen=True)
class Variant:
    name: str
    env: tuple[tuple[str, str], ...]
    missing: str = ""  # why it cannot run here ("" when it can)

    def __str__(self) -> str:
        return self.name


@cache
def cpu_flags() -> frozenset[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


@cache
def variants() -> tuple[Variant, ...]:
    """Every variant worth running; those this CPU cannot execute say why in ``missing``."""
    flags = cpu_flags()
    pinned = os.environ.get("OPENBLAS_CORETYPE")
    found = []
    for core, needs in OPENBLAS_CORES.items():
        lacking = [f for f in needs if f not in flags]
        why = f"this CPU lacks {', '.join(lacking)}" if lacking else ""
        if not flags:
            why = "no /proc/cpuinfo to read the CPU's instructions from"
        elif pinned and pinned.lower() != core.lower():
            # set by the machine because other kernels compute wrong results or crash on it
            why = f"this machine pins OPENBLAS_CORETYPE={pinned}"
        found.append(Variant(f"openblas-{core}", (("OPENBLAS_CORETYPE", core),), why))
    found.append(Variant("glibc-no-avx2-fma",
                         (("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F,-AVX512DQ"),),
                         "" if sys.platform == "linux" else "glibc tunables are Linux-only"))
    found.append(Variant("numpy-baseline-simd",
                         (("NPY_DISABLE_CPU_FEATURES", "X86_V3 X86_V4 AVX512_ICL AVX512_SPR"),),
                         "" if "avx2" in flags else "this CPU has no SIMD beyond numpy's baseline"))
    return tuple(found)


def run(variant: Variant, args: list[str], timeout: float = 600) -> subprocess.CompletedProcess:
    """``python ARGS`` from the repository root, under ``variant``'s environment."""
    env = {**os.environ, **dict(variant.env), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


PARITY_TESTS = ["tests/test_svm_parity.py", "tests/test_svm.py", "tests/test_playground.py", "tests/test_hog_parity.py",
                "tests/test_image.py", "tests/test_convolve.py", "tests/test_classify.py", "tests/test_train_svm.py"]


def main(argv: list[str]) -> int:
    """``python -m tests.cpu_variants [--only=NAME,...] [PYTEST ARGS]``: the parity tests (or ARGS) under each variant.

    ``make test`` refits scikit-learn's side of the SVM fit parity under each variant
    (tests/test_svm_fit.py); this runs whole test files again under each one, which
    takes a few minutes per variant (``make test-cpus``).
    """
    only = None
    if argv and argv[0].startswith("--only="):
        only, argv = set(argv[0].removeprefix("--only=").split(",")), argv[1:]
    args = argv or PARITY_TESTS
    failed = []
    for variant in variants():
        if only is not None and variant.name not in only:
            continue
        if variant.missing:
            print(f"{variant}: skipped ({variant.missing})", flush=True)
            continue
        done = run(variant, ["-m", "pytest", "-q", "-p", "no:cacheprovider", *args], timeout=3600)
        summary = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(f"{variant} ({' '.join(f'{k}={v}' for k, v in variant.env)}): {summary}", flush=True)
        if done.returncode != 0:
            failed.append(variant.name)
            print(done.stdout[-4000:], flush=True)
    print(f"{len(failed)} variants failed: {', '.join(failed)}" if failed else "every variant passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

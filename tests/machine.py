"""``python -m tests.machine``: what the tests run on, printed by ``make test`` once its installs are done.

The CPU, the numeric libraries' code paths (OpenBLAS's kernel as threadpoolctl reports it, numpy's
SIMD extensions) and the browsers' versions: a parity or timing surprise on another machine starts here.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess


def _version(command: list[str]) -> str:
    if not shutil.which(command[0]):
        return "not installed"
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"no answer ({error})"
    return (done.stdout.strip() or done.stderr.strip()).splitlines()[0] if (done.stdout or done.stderr) else "?"


def main() -> None:
    import numpy as np
    import threadpoolctl

    from tests.cpu_variants import cpu_flags, variants

    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                 platform.processor()) if os.path.exists("/proc/cpuinfo") else platform.processor()
    simd = [f for f in ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16") if f in cpu_flags()]
    print(f"cpu:       {model}, {os.cpu_count()} cores; {' '.join(simd)}")
    print(f"python:    {platform.python_version()}, numpy {np.__version__}")
    for lib in threadpoolctl.threadpool_info():
        print(f"blas:      {lib.get('internal_api')} {lib.get('version')} kernel {lib.get('architecture')}, "
              f"{lib.get('num_threads')} threads")
    forced = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "GLIBC_TUNABLES",
                                         "NPY_DISABLE_CPU_FEATURES") if k in os.environ}
    print(f"forced:    {forced or 'nothing'}")
    runnable = [str(v) for v in variants() if not v.missing]
    print(f"variants:  {', '.join(runnable)} (the SVM parity reference is refitted under each)")
    for name, command in (("chromium", ["chromium", "--version"]), ("webkit", ["dpkg-query", "-W", "-f=webkit2gtk-driver ${Version}", "webkit2gtk-driver"]),
                          ("firefox", ["firefox-esr", "--version"]), ("node", ["node", "--version"])):
        print(f"{name + ':':10s} {_version(command)}")


if __name__ == "__main__":
    main()

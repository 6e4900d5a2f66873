"""`python -m bench [--quick]`: run every benchmark and print its table of ratios."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import resource
import sys
import time
from collections.abc import Awaitable, Callable

from bench import (
    dispatch,
    effectiveness,
    home_overview,
    ingest_load,
    job_throughput,
    recovery_e2e,
    scale,
    webhook_ingest,
)
from bench.databases import postgres_problem
from bench.options import Options
from bench.summary import SUMMARY
from bench.timing import REPEATS, BenchFailure

BENCHMARKS: list[Callable[[Options], Awaitable[str]]] = [
    webhook_ingest.run, job_throughput.run, recovery_e2e.run, home_overview.run,
    ingest_load.run, dispatch.run, scale.run, effectiveness.run]


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: checks the benchmarks run")
    parser.add_argument("--only", default="", help="comma-separated module names (e.g. scale,effectiveness)")
    return parser.parse_args()


async def _main(quick: bool, only: set[str]) -> int:
    options = Options(quick=quick, postgres_problem=await postgres_problem())
    print(f"Recoup benchmarks{' (--quick)' if quick else ''}: Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, median of {REPEATS} runs after one warm-up; "
          f"every ratio is against a baseline measured in this run.\n", flush=True)
    started = time.perf_counter()
    for benchmark in [b for b in BENCHMARKS if not only or b.__module__.split(".")[-1] in only]:
        try:
            print(await benchmark(options), flush=True)
        except BenchFailure as error:
            print(options.fail(str(error)), flush=True)
        print(flush=True)
    print(f"finished in {time.perf_counter() - started:.0f} s"
          + (f"; {len(options.failures)} FAIL line(s)" if options.failures else ""))
    print("\nSummary (ratios against baselines measured in this run; absolute figures depend on the machine):")
    for line in SUMMARY:
        print(line)
    print(f"RSS peak={_peak_rss_mb():.0f}MB (this process; servers and simulators run in their own)", flush=True)
    return 1 if options.failures else 0


def main() -> None:
    # Recoup logs every event and job at INFO; only real trouble should reach the benchmark output.
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    arguments = _arguments()
    sys.exit(asyncio.run(_main(arguments.quick, {name for name in arguments.only.split(",") if name})))


main()

"""A/B helper for performance changes on a noisy machine: one node, the 8-sender transaction workload in
three rounds of 1 000 transactions per sender, the rate and node CPU per transaction of each round.
Run it alternately for two builds (copy each binary aside) and compare medians; a single run of
scripts/bench varies by ±15–20 % on a shared VM.

    .venv/bin/python scripts/bench_ab.py [BINARY] [eth|bond]
"""
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_driver as bd  # noqa: E402


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(bd.ROOT / ".build" / "release" / "stakenet")
    kind = sys.argv[2] if len(sys.argv) > 2 else "eth"
    work = Path(tempfile.mkdtemp(prefix="stakenet-ab-"))
    exe = work / "stakenet"
    shutil.copy2(binary, exe)

    class Opts:
        quick = False
        budget = 10_000
    b = bd.Bench.__new__(bd.Bench)
    b.args, b.work, b.exe, b.nodes, b.results, b.rss_load, b.lines = Opts, work, exe, [], {}, {}, []
    b.t_start, b.keys, b.token_kind, b.senders, b.per_sender = time.monotonic(), None, "bond", 8, 3000
    b.dev_keys()
    senders = list(range(8))
    node = bd.Node(exe, work, "node", [])
    node.start()
    try:
        if kind == "eth":
            lists = bd.Signer(b.keys).batches("eth", None, senders, 0, 3000)
        else:
            b.stake(node, senders)
            lists = bd.Signer(b.keys).batches("bond", bd.AMATICB, senders, 2, 3000)
        rates, cpus, client = [], [], []
        for part in range(3):
            prefix = work / f"round{part}"
            bd.write_bodies(prefix, [l[part * 1000:(part + 1) * 1000] for l in lists])
            ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            c0 = node.cpu_s()
            r = bd.run_wrk(node.url, 8, 8, 30, "list", prefix)
            ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            ok = max(1, r["ok"])
            rates.append(r["rate"])
            cpus.append((node.cpu_s() - c0) * 1e6 / ok)
            client.append(((ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)) * 1e6 / ok)
        print(f"{kind}: tx/s {[round(x) for x in rates]} median {statistics.median(rates):.0f}; node CPU µs/tx "
              f"{[round(x) for x in cpus]} median {statistics.median(cpus):.0f}; wrk CPU µs/tx "
              f"{statistics.median(client):.0f}")
    finally:
        node.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

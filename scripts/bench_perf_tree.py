"""Summarises a perf.data (from scripts/bench_profile.py) under one function: the share of all samples that
fall inside it, then the functions it spends that time in (inclusive, demangled with `swift demangle`) and
the leaf functions (self time).

    .venv/bin/python scripts/bench_perf_tree.py PERF_DATA 'EthMethods.runCall' [--top 40] [--depth N]

The pattern is a substring of the demangled name. --depth limits the inclusive list to frames at most N
calls below the matched frame (default: any depth).
"""
import argparse
import collections
import subprocess
import sys


def samples(perf_data):
    p = subprocess.run(["perf", "script", "-i", perf_data, "-F", "ip,sym", "--no-inline"],
                       capture_output=True, text=True)
    stack = []
    for line in p.stdout.splitlines():
        line = line.strip()
        if not line:
            if stack:
                yield stack
            stack = []
            continue
        parts = line.split(None, 1)
        stack.append(parts[1] if len(parts) > 1 else parts[0])
    if stack:
        yield stack


def demangler(names):
    names = sorted(names)
    p = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(names), capture_output=True, text=True)
    out = p.stdout.splitlines()
    if len(out) != len(names):
        return {n: n for n in names}
    return dict(zip(names, out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("perf_data")
    ap.add_argument("pattern")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--depth", type=int, default=0)
    a = ap.parse_args()

    stacks = list(samples(a.perf_data))
    names = {f for s in stacks for f in s}
    dm = demangler(names)
    total = len(stacks)
    inside = 0
    incl = collections.Counter()
    leaf = collections.Counter()
    for s in stacks:  # s[0] is the leaf
        d = [dm[f] for f in s]
        idx = next((i for i in range(len(d) - 1, -1, -1) if a.pattern in d[i]), None)  # outermost match
        if idx is None:
            continue
        inside += 1
        seen = set()
        for j in range(idx - 1, -1, -1):
            if a.depth and idx - j > a.depth:
                break
            n = d[j]
            if n not in seen:
                seen.add(n)
                incl[n] += 1
        leaf[d[0]] += 1
    if not total:
        print("no samples")
        return 1
    print(f"{inside} of {total} samples ({100 * inside / total:.1f} %) are inside '{a.pattern}'")
    if not inside:
        return 0
    print(f"\ninclusive, % of the samples inside '{a.pattern}':")
    for n, c in incl.most_common(a.top):
        print(f"  {100 * c / inside:5.1f} %  {n[:200]}")
    print("\nself (leaf), % of the samples inside:")
    for n, c in leaf.most_common(a.top):
        print(f"  {100 * c / inside:5.1f} %  {n[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

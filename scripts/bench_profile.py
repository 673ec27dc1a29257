"""Profiles one hot path of the release node under wrk load and prints where the time goes.

    .venv/bin/python scripts/bench_profile.py call  [--seconds 5] [--conns 8]
    .venv/bin/python scripts/bench_profile.py tx    [--data-dir]
    .venv/bin/python scripts/bench_profile.py warp

call: eth_call aMATICb.balanceOf; tx: pre-signed aMATICb.transfer via eth_sendRawTransaction (automine); eth: the same with plain
ETH transfers (the eth-tester comparison's workload);
warp: one 10-year stakenet_warp with pending claims; mine: anvil_mine of --count blocks (default 1500 is
small: pass e.g. --count 100000); logs: eth_getLogs for one topic over 100 000 blocks (20 queries).
perf samples cpu-clock (this VM has no hardware counters) with DWARF call graphs. (valgrind 3.19, Debian 12's,
crashes inside libdispatch of the Swift 6.3 runtime even with --tool=none, so there is no callgrind mode.)
perf.data stays in the printed work directory: summarise it with scripts/bench_perf_tree.py.
"""
import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_driver as bd  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", choices=["call", "tx", "eth", "warp", "mine", "logs"])
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--count", type=int, default=1500, help="tx: transactions per sender")
    ap.add_argument("--data-dir", action="store_true")
    ap.add_argument("--premine", type=int, default=0, help="anvil_mine this many blocks before the load (tx, call)")
    ap.add_argument("--bin", default=str(bd.ROOT / ".build" / "release" / "stakenet"))
    a = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="stakenet-profile-"))
    exe = work / "stakenet"
    shutil.copy2(a.bin, exe)
    print(f"work directory: {work}", flush=True)
    args = ["--data-dir", str(work / "data")] if a.data_dir else []

    class Opts:
        quick = False
        budget = 10_000
    b = bd.Bench.__new__(bd.Bench)
    b.args, b.work, b.exe, b.nodes, b.results, b.rss_load, b.lines = Opts, work, exe, [], {}, {}, []
    b.t_start, b.keys, b.token_kind, b.senders, b.per_sender = time.monotonic(), None, "bond", a.conns, a.count
    b.dev_keys()

    node = bd.Node(exe, work, "node", args)
    node.start()
    b.nodes.append(node)

    try:
        if a.path == "call":
            b.stake(node, [0])
            body = work / "call.json"
            body.write_text('{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{"to":"%s","data":"0x70a08231%s"},'
                            '"latest"]}' % (bd.AMATICB, bd.w_addr(b.addrs[0])))
            run = lambda: bd.run_wrk(node.url, 2 if a.conns > 1 else 1, a.conns, a.seconds, "fixed", body)
        elif a.path in ("tx", "eth"):
            senders = list(range(a.conns))
            if a.path == "tx":
                b.stake(node, senders)
                lists = bd.Signer(b.keys).batches("bond", bd.AMATICB, senders, 2, a.count)
            else:
                lists = bd.Signer(b.keys).batches("eth", None, senders, 0, a.count)
            prefix = work / "bodies"
            bd.write_bodies(prefix, lists)
            run = lambda: bd.run_wrk(node.url, a.conns, a.conns, max(a.seconds, 60), "list", prefix)
        elif a.path == "mine":
            def run():
                t0 = time.perf_counter()
                node.rpc.call("anvil_mine", hex(a.count), timeout=600)
                return {"mine_s": time.perf_counter() - t0, "blocks": a.count}
        elif a.path == "logs":
            transfer = bd.selector("transfer(address,uint256)")
            rc = bd.recipients()
            for i in range(100):
                node.send_and_check({"from": b.addrs[i % 10], "to": bd.MATIC,
                                     "data": "0x" + transfer + bd.w_addr(rc[i % 64]) + bd.w_int(bd.E18)}, "transfer")
                node.rpc.call("anvil_mine", hex(999), timeout=120)
            head = node.block_number()
            topic = "0x" + bd.keccak_hex("Transfer(address,address,uint256)")
            q = {"fromBlock": hex(max(0, head - 99_999)), "toBlock": hex(head), "topics": [topic]}

            def run():
                t0 = time.perf_counter()
                for _ in range(20):
                    n_logs = len(node.rpc.call("eth_getLogs", q, timeout=60))
                return {"ms_per_query": (time.perf_counter() - t0) * 1000 / 20, "logs": n_logs}
        else:
            b.stake(node, list(range(1, 9)))
            fee = int(node.rpc.call("eth_call", {"to": bd.POOL, "data": "0x" + bd.selector("ethUnstakeFee()")},
                                    "latest"), 16)
            unstake = bd.selector("unstakeBonds(uint256,uint256,uint256,bytes)")
            for u in range(1, 9):
                data = "0x" + unstake + bd.w_int(5 * bd.E18) + bd.w_int(0) + bd.w_int(0) + bd.w_int(0x80) + bd.w_int(0)
                node.send_and_check({"from": b.addrs[u], "to": bd.POOL, "data": data, "value": hex(fee)}, "unstake")

            def run():
                t0 = time.perf_counter()
                node.rpc.call("stakenet_warp", bd.TEN_YEARS, timeout=600)
                return {"warp_ms": (time.perf_counter() - t0) * 1000}

        if a.premine:
            t0 = time.perf_counter()
            node.rpc.call("anvil_mine", hex(a.premine), timeout=900)
            c = node.cpu_s()
            while True:  # let LevelDB finish compacting what the mining wrote (idle: < 5 % of a core)
                time.sleep(0.5)
                c2 = node.cpu_s()
                if c2 - c < 0.025 or time.perf_counter() - t0 > 600:
                    break
                c = c2
            print(f"premined {a.premine} blocks; idle after {time.perf_counter() - t0:.1f} s", flush=True)
        perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "2000", "--call-graph", "dwarf,16384",
                                 "-o", str(work / "perf.data"), "-p", str(node.proc.pid)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        r = run()
        print("load:", {k: v for k, v in r.items() if k != "first_error"}, flush=True)
        perf.send_signal(signal.SIGINT)
        perf.wait(60)
    finally:
        node.stop()
    print(f"self time by symbol (more: scripts/bench_perf_tree.py {work}/perf.data 'FUNCTION')")
    rep = subprocess.run(["perf", "report", "-i", str(work / "perf.data"), "--no-children", "--sort", "dso,symbol",
                          "--stdio", "-g", "none", "--percent-limit", "0.7"], capture_output=True, text=True)
    print("\n".join(l.rstrip() for l in rep.stdout.splitlines() if l and not l.startswith("#"))[:12000])


if __name__ == "__main__":
    main()

"""The browser dashboard (issue 14): headless Chromium (Debian's `chromium` and `chromium-driver`, driven by
Selenium; scripts/setup installs them) loads the page a real node serves on `GET /` and every value it shows is
checked against what the node's JSON-RPC reports: head block, chain clock, ratio, supplies, balances, transactions,
pending claims. Its warp buttons are clicked like a person would, and its render time after a 10-year warp is measured.

A screenshot of each step is written to `.build/dashboard-screenshots/` (kept after the run, so a failure can be
looked at). `STAKENET_DASHBOARD_DOC=1` also writes the README's screenshot, `docs/dashboard.png`."""
import base64
import os
import re
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
from web3 import Web3

from support import CONTRACTS, DEV, ankr_contracts, q

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / ".build" / "dashboard-screenshots"
GENESIS = 1_700_000_000
FIXED_CLOCK = ["--no-wall-clock", "--timestamp", str(GENESIS)]
DAY = 86_400
E18 = 10**18
WAIT = 20  # seconds for the page to catch up with the node


def ratio_after(ratio, n, apr=450, interval=DAY):
    growth = apr * 10**14 * interval // 31_536_000
    for _ in range(n):
        ratio = ratio * E18 // (E18 + growth)
    return ratio


def utc(ts, zone=True):
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if zone else "")


def short(addr):
    a = Web3.to_checksum_address(addr)
    return f"{a[:6]}…{a[-4:]}"


# --- the browser ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.fail("the dashboard tests need Debian's chromium and chromium-driver: run scripts/setup")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager look for a browser online
    opts = Options()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1800", "--force-device-scale-factor=1", "--hide-scrollbars",
                "--no-first-run", "--disable-extensions", "--disable-background-networking"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=driver), options=opts)
    drv.set_page_load_timeout(30)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield drv
    drv.quit()


class Page:
    """The dashboard in the browser, for one node."""

    def __init__(self, drv, node, step_prefix):
        self.drv, self.node, self.prefix = drv, node, step_prefix

    def open(self):
        self.drv.get_log("browser")  # drop what an earlier page logged
        self.drv.get(self.node.url + "/")
        self.until(lambda: self.js("return document.body.dataset.ready") == "1", "the page never finished loading")
        return self

    def js(self, script, *args):
        return self.drv.execute_script(script, *args)

    def until(self, cond, what, timeout=WAIT):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                if cond():
                    return
            except Exception as e:  # noqa: BLE001 - the DOM may be mid-update
                last = e
            time.sleep(0.05)
        self.shot("timeout")
        raise AssertionError(f"{what} (after {timeout}s; last error: {last!r}); page log: {self.console()}")

    def attr(self, el_id, name):
        return self.js(f"const e = document.getElementById('{el_id}'); return e ? e.getAttribute('{name}') : null")

    def text(self, el_id):
        return self.js(f"return document.getElementById('{el_id}').textContent")

    def click(self, el_id):
        self.drv.find_element("id", el_id).click()

    def rows(self, table_id):
        return self.js(f"""return [...document.querySelectorAll('#{table_id} tbody tr')].map(tr =>
            ({{data: Object.assign({{}}, tr.dataset), cells: [...tr.cells].map(td => td.textContent),
              wei: [...tr.cells].map(td => td.dataset.wei || null)}}))""")

    def chain_clock(self):
        return int(self.attr("chain-clock", "data-ts"))

    def points(self):
        return int(self.attr("chart", "data-points"))

    def shot(self, name, path=None):
        """The whole page, not just the window."""
        width, height = self.js("const r = document.body.getBoundingClientRect(); return [r.width, r.height]")
        png = self.drv.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
        (path or SHOTS / f"{self.prefix}-{name}.png").write_bytes(base64.b64decode(png["data"]))

    def console(self):
        return [f"{e['level']}: {e['message']}" for e in self.drv.get_log("browser")]

    def assert_no_errors(self):
        errors = [e for e in self.console() if e.startswith("SEVERE")]
        assert not errors, f"the page logged errors: {errors}"
        assert self.attr("conn", "data-state") == "live", f"WebSocket state: {self.text('conn')}"

    def assert_matches_node(self, fixed_clock=True):
        """Head, clock, ratio, supplies, pool figures and balances as the RPC reports them."""
        node = self.node
        status = node.rpc("stakenet_status")
        head = node.rpc("eth_getBlockByNumber", "latest", False)
        assert int(self.attr("head-number", "data-number")) == q(head["number"])
        assert self.text("head-number") == f"#{q(head['number'])}"
        clock = self.chain_clock()
        if fixed_clock:
            assert clock == q(head["timestamp"]), "with --no-wall-clock the chain clock is the head's time"
        else:
            assert 0 <= clock - q(head["timestamp"]) <= 120, "the chain clock runs on from the head's time"
        assert self.text("chain-clock") == utc(clock)
        ratio = q(status["ratio"])
        assert int(self.attr("ratio", "data-wei")) == ratio
        assert self.text("ratio") == f"{ratio // E18}.{ratio % E18:018d}"
        c = Ankr(node)
        assert int(self.attr("supply-bonds", "data-wei")) == c.bonds.functions.totalSupply().call()
        assert int(self.attr("supply-certs", "data-wei")) == c.certs.functions.totalSupply().call()
        assert int(self.attr("pool-matic", "data-wei")) == q(status["poolMaticBalance"])
        assert int(self.attr("intermediary-matic", "data-wei")) == q(status["intermediaryMaticBalance"])
        assert int(self.attr("pending-stakes", "data-wei")) == q(status["totalPendingStakes"])
        assert int(self.attr("next-rebase", "data-ts")) == status["nextRebaseTime"]
        assert self.text("next-rebase") == utc(status["nextRebaseTime"], zone=False)
        assert self.text("op-apr") == f"{status['apr'] / 100:.2f} % ({status['apr']} bps)"
        assert self.text("op-mode") == status["mode"]
        accounts = node.rpc("eth_accounts")
        rows = self.rows("accounts")
        assert len(rows) == len(accounts) == 10
        for i in (0, 1, 2):
            addr = DEV[i].address
            assert rows[i]["data"]["address"] == addr, "EIP-55 checksum computed by the page"
            eth, matic, bonds, certs = (int(w) for w in rows[i]["wei"][2:6])
            assert eth == node.balance(addr)
            assert matic == c.matic.functions.balanceOf(addr).call()
            assert bonds == c.bonds.functions.balanceOf(addr).call()
            assert certs == c.certs.functions.balanceOf(addr).call()


class Ankr:
    def __init__(self, node):
        w3 = node.w3
        self.w3 = w3
        self.c = ankr_contracts(w3)
        self.matic, self.pool = self.c["MATIC"], self.c["PolygonPool"]
        self.bonds, self.certs = self.c["aMATICb"], self.c["aMATICc"]

    def tx(self, fn, sender, value=0):
        h = fn.transact({"from": sender.address, "value": value})
        rc = self.w3.eth.wait_for_transaction_receipt(h, timeout=30)
        assert rc["status"] == 1, f"transaction failed: {rc}"
        return "0x" + bytes(h).hex()

    def stake(self, user, amount):
        approve = self.tx(self.matic.functions.approve(self.pool.address, amount), user)
        return approve, self.tx(self.pool.functions.stakeAndClaimBonds(amount), user)

    def unstake(self, user, amount):
        return self.tx(self.pool.functions.unstakeBonds(amount, 0, 0, b""), user, self.pool.functions.ethUnstakeFee().call())


# --- tests ------------------------------------------------------------------------------------

def test_page_shows_the_chain_and_follows_it(node, browser):
    n = node(FIXED_CLOCK)
    page = Page(browser, n, "1").open()
    page.assert_matches_node()
    assert page.chain_clock() == GENESIS
    assert page.points() == 1, "only the genesis ratio before any rebase"
    assert page.text("implied-apr") == "–"
    page.shot("01-loaded")
    page.assert_no_errors()

    # +1 day: the clock moves one day, the operator rebases once, the chart gains that point.
    clock, points, head = page.chain_clock(), page.points(), int(page.attr("head-number", "data-number"))
    page.click("warp-day")
    page.until(lambda: page.chain_clock() == clock + DAY and page.points() == points + 1,
               "+1 day did not move the chain clock by a day and add one ratio point")
    page.until(lambda: "1 rebase" in page.text("warp-result"), "the warp's result line")
    assert int(page.attr("head-number", "data-number")) == head + 1 == n.w3.eth.block_number
    assert int(page.attr("ratio", "data-wei")) == ratio_after(E18, 1) == q(n.rpc("stakenet_status")["ratio"])
    assert page.text("implied-apr") == "4.50 %"
    assert int(page.attr("chart", "data-rebases")) == 1
    page.assert_matches_node()
    page.shot("02-plus-one-day")

    # A stake sent with web3.py shows up, decoded as the console logs it.
    ankr = Ankr(n)
    user = DEV[1]
    approve, stake = ankr.stake(user, 10 * E18)

    def tx_rows():
        return {r["data"]["hash"]: r["cells"] for r in page.rows("txs")}
    page.until(lambda: stake in tx_rows() and approve in tx_rows(), "the stake never reached the transactions list")
    rows = tx_rows()
    assert rows[stake][3] == "PolygonPool.stakeAndClaimBonds(10)"
    assert rows[approve][3] == f"MATIC.approve({short(CONTRACTS['PolygonPool'])}, 10)"
    assert rows[stake][2] == f"dev 1 {short(user.address)}" and rows[stake][4] == "ok"
    assert rows[stake][0] == str(n.w3.eth.get_transaction_receipt(stake)["blockNumber"])
    page.until(lambda: int(page.attr("pending-stakes", "data-wei")) == 10 * E18, "pending stakes")
    page.assert_matches_node()
    page.shot("03-stake")

    # An unstake queues a claim: recipient, amount, due time and a countdown in chain time.
    unstake = ankr.unstake(user, 4 * E18)
    page.until(lambda: unstake in tx_rows() and len(page.rows("claims")) == 1, "the pending claim never appeared")
    claim = n.rpc("stakenet_status")["pendingClaims"][0]
    row = page.rows("claims")[0]
    assert row["data"]["recipient"] == user.address == claim["recipient"]
    assert int(row["data"]["amount"]) == 4 * E18 == q(claim["amount"])
    assert int(row["data"]["due"]) == claim["dueTime"] == GENESIS + DAY + 7 * DAY
    assert row["cells"][3] == utc(claim["dueTime"], zone=False)
    assert row["cells"][4] == "7 d 00:00:00", "due − chain clock, in chain time"
    assert tx_rows()[unstake][3] == "PolygonPool.unstakeBonds(4, 0, 0, 0x)"
    page.assert_matches_node()
    page.shot("04-pending-claim")

    # "to next claim" warps exactly to its due time: the claim is served, 7 more rebases are drawn.
    points = page.points()
    page.click("warp-claim")
    page.until(lambda: len(page.rows("claims")) == 0 and page.chain_clock() == claim["dueTime"],
               "warping to the next claim did not serve it")
    page.until(lambda: page.points() == points + 7, "the 7 rebases of the unbond week")
    assert n.rpc("stakenet_status")["pendingClaims"] == []
    page.assert_matches_node()
    page.shot("05-claim-served")

    # "to next rebase" and the free field.
    status = n.rpc("stakenet_status")
    page.click("warp-rebase")
    page.until(lambda: page.chain_clock() == status["nextRebaseTime"], "to next rebase")
    clock = page.chain_clock()
    field = browser.find_element("id", "warp-input")
    field.clear()
    field.send_keys("2h 30m")
    page.click("warp-go")
    page.until(lambda: page.chain_clock() == clock + 9000, "the free field warp of 2h 30m")
    page.assert_matches_node()
    page.shot("06-free-field")
    page.assert_no_errors()


def test_ten_year_warp_renders_promptly(node, browser):
    n = node(FIXED_CLOCK)
    n.rpc("stakenet_warp", 3650 * DAY)
    started = time.monotonic()
    page = Page(browser, n, "2").open()
    wall = time.monotonic() - started
    load_ms = float(page.attr("timing", "data-load-ms"))
    chart_ms = float(page.attr("timing", "data-chart-ms"))
    assert page.points() == 3651 and int(page.attr("chart", "data-rebases")) == 3650
    page.assert_matches_node()
    # Downsampled: the line has at most a few vertices per pixel column, not one per rebase.
    vertices = page.js("return (document.querySelector('#chart .line').getAttribute('d').match(/[MHV]/g) || []).length")
    width = page.js("return document.getElementById('chart').viewBox.baseVal.width")
    assert vertices <= 5 * width + 4, (vertices, width)
    page.shot("01-ten-years")
    # One more day on top: an incremental update.
    page.click("warp-day")
    page.until(lambda: page.points() == 3652, "+1 day after ten years")
    chart2_ms = float(page.attr("timing", "data-chart-ms"))
    page.shot("02-ten-years-plus-a-day")
    page.assert_no_errors()
    print(f"\ndashboard after a 10-year warp: page ready {load_ms:.0f} ms after navigation "
          f"(driver round trip {wall * 1000:.0f} ms), chart {chart_ms:.1f} ms, next chart {chart2_ms:.1f} ms")
    assert chart_ms < 500, f"drawing 3 651 points took {chart_ms} ms"
    assert load_ms < 3000, f"the page took {load_ms} ms to be ready"


def test_get_serves_the_page_only_to_browsers_and_not_with_no_dashboard(node):
    n = node()
    page = requests.get(n.url + "/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "<title>stakenet</title>" in page.text
    # Self-contained: nothing is loaded from anywhere, and the policy forbids it.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page.text)
    assert "connect-src 'self'" in page.headers["Content-Security-Policy"]
    # Not a browser: the plain answer as before; JSON-RPC unchanged.
    plain = requests.get(n.url + "/", headers={"Accept": "*/*"}, timeout=10)
    assert plain.headers["Content-Type"].startswith("text/plain") and "JSON-RPC" in plain.text
    other = requests.get(n.url + "/favicon.ico", headers={"Accept": "text/html"}, timeout=10)
    assert other.text == plain.text
    assert n.rpc("eth_chainId") == "0x7a69"
    head = requests.head(n.url + "/", headers={"Accept": "text/html"}, timeout=10)
    assert head.status_code == 200 and head.headers["Content-Type"].startswith("text/html") and head.content == b""

    off = node(["--no-dashboard"])
    r = requests.get(off.url + "/", headers={"Accept": "text/html"}, timeout=10)
    assert r.status_code == 200 and r.text == plain.text and r.headers["Content-Type"].startswith("text/plain")
    assert off.rpc("eth_chainId") == "0x7a69"


def test_thirty_day_warp_with_a_pending_claim(node, browser):
    """The README's picture: a node on the wall clock, two stakes, 27 days, an unstake, then a 3-day warp typed into
    the page: 30 rebases, one claim pending, the chain clock 30 days ahead."""
    n = node()
    ankr = Ankr(n)
    ankr.stake(DEV[1], 1_000 * E18)
    ankr.stake(DEV[2], 250 * E18)
    n.rpc("stakenet_warp", 27 * DAY)
    ankr.unstake(DEV[1], 400 * E18)
    page = Page(browser, n, "3").open()
    field = browser.find_element("id", "warp-input")
    field.send_keys("3d")
    page.click("warp-go")
    page.until(lambda: "3 rebases" in page.text("warp-result"), "the 3-day warp typed into the page")
    page.assert_matches_node(fixed_clock=False)
    assert page.points() == 31 and int(page.attr("chart", "data-rebases")) == 30
    assert page.text("clock-offset") == "+30 d 00:00:00 ahead of the wall clock"
    claims = page.rows("claims")
    assert len(claims) == 1 and re.fullmatch(r"3 d 23:5\d:\d\d|4 d 00:00:00", claims[0]["cells"][4]), claims
    # Point at the chart, as a person reading it would.
    from selenium.webdriver.common.action_chains import ActionChains
    chart = browser.find_element("id", "chart")
    ActionChains(browser).move_to_element_with_offset(chart, int(chart.size["width"] * 0.3), 0).perform()
    page.until(lambda: page.js("return !document.getElementById('chart-tip').hidden"), "the chart's tooltip")
    page.shot("01-thirty-days")
    if os.environ.get("STAKENET_DASHBOARD_DOC"):
        (REPO / "docs").mkdir(exist_ok=True)
        page.shot("doc", REPO / "docs" / "dashboard.png")
    page.assert_no_errors()

// The dashboard's HTML and CSS, compiled into the binary. `Dashboard` fills the three
// placeholders: the CSS, the node facts as JSON, the script (DashboardScript.swift).

enum DashboardAssets {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>stakenet</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='7' fill='%23176bd1'/%3E%3C/svg%3E">
<style>/*STYLE*/</style>
</head>
<body>
<header>
  <h1>stakenet</h1>
  <span class="sub">Ankr Polygon liquid staking, emulated · chain <span id="chain-id">…</span></span>
  <span id="conn" data-state="connecting">connecting…</span>
</header>
<main>
<section class="row">
  <div class="card" id="clock-card">
    <div class="kv"><span>Head block</span><b id="head-number" data-number="">…</b> <code id="head-hash"></code></div>
    <div class="kv"><span>Chain clock</span><b id="chain-clock" data-ts="">…</b></div>
    <div class="kv"><span>vs. wall clock</span><span id="clock-offset">…</span></div>
  </div>
  <div class="card" id="warp-card">
    <h2>Warp</h2>
    <div class="buttons">
      <button id="warp-hour" data-seconds="3600">+1 hour</button>
      <button id="warp-day" data-seconds="86400">+1 day</button>
      <button id="warp-week" data-seconds="604800">+7 days</button>
      <button id="warp-rebase">to next rebase</button>
      <button id="warp-claim">to next claim</button>
    </div>
    <form id="warp-form" autocomplete="off">
      <input id="warp-input" placeholder="e.g. 30d, 12h, 1y 2w, 3600" aria-label="warp by">
      <button id="warp-go" type="submit">Warp</button>
    </form>
    <div id="warp-result" class="muted">stakenet_warp moves the clock and mines one block; the operator rebases and serves what falls due.</div>
  </div>
</section>

<section class="card" id="chart-card">
  <h2>Ratio <span class="muted">(aMATICb shares per MATIC)</span>
    <b id="ratio" data-wei="">…</b>
    <span class="chip">implied APR <b id="implied-apr">–</b></span>
    <span class="chip">APY over the chart <b id="implied-apy">–</b></span>
  </h2>
  <div id="chart-box"><svg id="chart" data-points="0" data-rebases="0" role="img" aria-label="ratio over chain time"></svg>
    <div id="chart-tip" hidden></div></div>
  <div class="muted small" id="chart-note">Each tick under the axis is a rebase (RatioUpdate). Rebases caught up in one block are drawn at their scheduled times.</div>
</section>

<section class="row three">
  <div class="card">
    <h2>Tokens and pool</h2>
    <table class="kvt">
      <tr><th>aMATICb supply</th><td id="supply-bonds" data-wei="">…</td></tr>
      <tr><th>aMATICc supply</th><td id="supply-certs" data-wei="">…</td></tr>
      <tr><th>Pool MATIC</th><td id="pool-matic" data-wei="">…</td></tr>
      <tr><th>Intermediary MATIC</th><td id="intermediary-matic" data-wei="">…</td></tr>
      <tr><th>Pending stakes</th><td id="pending-stakes" data-wei="">…</td></tr>
    </table>
  </div>
  <div class="card">
    <h2>Operator</h2>
    <table class="kvt">
      <tr><th>APR</th><td id="op-apr">…</td></tr>
      <tr><th>Rebase interval</th><td id="op-interval">…</td></tr>
      <tr><th>Next rebase</th><td id="next-rebase" data-ts="">…</td></tr>
      <tr><th>… in</th><td id="next-rebase-in">…</td></tr>
      <tr><th>Rebases done</th><td id="op-rebases">…</td></tr>
      <tr><th>Unbond period</th><td id="op-unbond">…</td></tr>
      <tr><th>Mode</th><td id="op-mode">…</td></tr>
    </table>
  </div>
  <div class="card">
    <h2>Pending claims <span class="muted" id="claims-count"></span></h2>
    <table class="list" id="claims">
      <thead><tr><th>#</th><th>recipient</th><th class="num">MATIC</th><th>due (UTC)</th><th class="num">in (chain time)</th></tr></thead>
      <tbody></tbody>
    </table>
    <div class="muted small" id="claims-empty">No claims waiting.</div>
  </div>
</section>

<section class="card">
  <h2>Recent transactions</h2>
  <table class="list" id="txs">
    <thead><tr><th class="num">block</th><th>hash</th><th>from</th><th>call</th><th></th><th class="num">gas</th></tr></thead>
    <tbody></tbody>
  </table>
  <div class="muted small" id="txs-empty">No transactions yet.</div>
</section>

<section class="card">
  <h2>Dev accounts</h2>
  <table class="list" id="accounts">
    <thead><tr><th>#</th><th>address</th><th class="num">ETH</th><th class="num">MATIC</th><th class="num">aMATICb</th><th class="num">aMATICc</th></tr></thead>
    <tbody></tbody>
  </table>
</section>
</main>
<footer class="muted small"><span id="timing" data-load-ms="" data-chart-ms=""></span> · served by the node itself; it talks only to this node (JSON-RPC and WebSocket on this port).</footer>
<script id="node-info" type="application/json">/*NODE_INFO*/</script>
<script>/*SCRIPT*/</script>
</body>
</html>
"""#

    static let css = #"""
:root { --fg: #1d232b; --muted: #6b7580; --line: #e3e7ec; --bg: #f5f7fa; --card: #fff; --accent: #176bd1; --ok: #1a8a4a; --bad: #c23b2b; --warn: #b7791f; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 14px; padding: 10px 20px; background: #12202f; color: #fff; }
header h1 { margin: 0; font-size: 19px; letter-spacing: .5px; }
header .sub { color: #aebccb; font-size: 13px; }
#conn { margin-left: auto; font-size: 12px; color: #f3c969; }
#conn[data-state="live"] { color: #7ee2a3; }
#conn[data-state="live"]::before { content: "● "; }
main { max-width: 1240px; margin: 0 auto; padding: 14px 20px 4px; }
.row { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1.4fr); gap: 14px; margin-bottom: 14px; }
.row.three { grid-template-columns: minmax(0, .9fr) minmax(0, .9fr) minmax(0, 1.7fr); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin-bottom: 14px; min-width: 0; }
.row > .card { margin-bottom: 0; }
h2 { font-size: 14px; margin: 0 0 8px; display: flex; flex-wrap: wrap; gap: 10px; align-items: baseline; }
.muted { color: var(--muted); font-weight: normal; }
.small { font-size: 12px; }
code, .mono, td.num, #ratio, .kv b { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
code { font-size: 12px; color: var(--muted); }
.kv { display: flex; align-items: baseline; gap: 10px; margin: 4px 0; }
.kv > span:first-child { width: 110px; color: var(--muted); flex: none; }
.kv b { font-size: 17px; }
#chain-clock { color: var(--accent); }
.buttons { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 8px; }
button { font: inherit; font-size: 13px; padding: 4px 10px; border: 1px solid #c5cdd6; background: #fff; border-radius: 5px; cursor: pointer; }
button:hover:not(:disabled) { border-color: var(--accent); color: var(--accent); }
button:disabled { opacity: .45; cursor: default; }
#warp-form { display: flex; gap: 6px; margin-bottom: 6px; }
#warp-input { font: inherit; font-size: 13px; padding: 4px 8px; border: 1px solid #c5cdd6; border-radius: 5px; width: 230px; }
#warp-result { font-size: 12px; min-height: 18px; }
#warp-result.error { color: var(--bad); }
#ratio { font-size: 16px; color: var(--accent); }
.chip { font-size: 12px; color: var(--muted); background: var(--bg); border: 1px solid var(--line); border-radius: 10px; padding: 1px 8px; font-weight: normal; }
.chip b { color: var(--fg); }
#chart-box { position: relative; }
#chart { width: 100%; height: 240px; display: block; }
#chart text { font: 11px ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; fill: var(--muted); }
#chart .grid { stroke: var(--line); stroke-width: 1; }
#chart .line { fill: none; stroke: var(--accent); stroke-width: 1.6; }
#chart .area { fill: rgba(23, 107, 209, .07); stroke: none; }
#chart .marks { stroke: var(--warn); stroke-width: 1; }
#chart .marks.dense { stroke-opacity: .45; }
#chart .now { stroke: var(--muted); stroke-dasharray: 3 3; }
#chart .cursor { stroke: var(--fg); stroke-width: .8; }
#chart-tip { position: absolute; top: 4px; pointer-events: none; background: rgba(18, 32, 47, .92); color: #fff; font-size: 12px; padding: 3px 7px; border-radius: 4px; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; }
.kvt th { font-weight: normal; padding: 3px 8px 3px 0; white-space: nowrap; }
.kvt td { text-align: right; padding: 3px 0; white-space: nowrap; font-size: 13px; font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
.list th { border-bottom: 1px solid var(--line); padding: 3px 6px; }
.list td { border-bottom: 1px solid #f0f2f5; padding: 3px 6px; white-space: nowrap; font-size: 13px; }
.list .num { text-align: right; }
.list td.call { white-space: normal; word-break: break-word; font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; }
td.ok { color: var(--ok); } td.bad { color: var(--bad); }
.count { font-family: system-ui, sans-serif; font-size: 11px; color: var(--muted); background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 0 5px; margin-left: 4px; }
tr.fresh td { background: #fffbe6; }
td.due { color: var(--ok); font-weight: 600; }
footer { max-width: 1240px; margin: 0 auto; padding: 4px 20px 18px; }
@media (max-width: 900px) { .row, .row.three { grid-template-columns: minmax(0, 1fr); } .row > .card { margin-bottom: 0; } }
"""#
}

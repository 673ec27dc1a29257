// The dashboard's JavaScript: plain ES2020, no framework, no network beyond the node
// that served it. It reads everything over the node's JSON-RPC (POST /) and follows new blocks
// over the WebSocket on the same port (`eth_subscribe` newHeads and logs).

extension DashboardAssets {
    static let script = #"""
'use strict';
const NODE = JSON.parse(document.getElementById('node-info').textContent);
const $ = (id) => document.getElementById(id);
const E18 = 10n ** 18n;
const YEAR = 31536000;
const RATIO_UPDATE = '0xb779c97cee7508e970bdead8c3ef0bd16f8c63dbba28fe88f7c7a56722fc564d'; // RatioUpdate(uint256)
const SEL = { balanceOf: '0x70a08231', totalSupply: '0x18160ddd', ratio: '0x71ca337d' };
const RECENT_TXS = 60;          // transactions kept for the table
const TX_ROWS = 15;             // rows shown: runs of the same call from one sender in one block share a row
const SCAN_BLOCKS = 16;         // blocks looked at for new transactions per refresh

// ---------------------------------------------------------------------------------------------
// Keccak-256 (Ethereum's, original padding), only for EIP-55 address checksums.
const KRC = ['0x1', '0x8082', '0x800000000000808a', '0x8000000080008000', '0x808b', '0x80000001',
  '0x8000000080008081', '0x8000000000008009', '0x8a', '0x88', '0x80008009', '0x8000000a', '0x8000808b',
  '0x800000000000008b', '0x8000000000008089', '0x8000000000008003', '0x8000000000008002',
  '0x8000000000000080', '0x800a', '0x800000008000000a', '0x8000000080008081', '0x8000000000008080',
  '0x80000001', '0x8000000080008008'].map(BigInt);
const KROT = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];
const M64 = (1n << 64n) - 1n;
const rotl = (v, n) => (n === 0 ? v : ((v << BigInt(n)) | (v >> BigInt(64 - n))) & M64);
function keccakF(s) {
  const C = new Array(5), B = new Array(25);
  for (let round = 0; round < 24; round++) {
    for (let x = 0; x < 5; x++) C[x] = s[x] ^ s[x + 5] ^ s[x + 10] ^ s[x + 15] ^ s[x + 20];
    for (let x = 0; x < 5; x++) {
      const D = C[(x + 4) % 5] ^ rotl(C[(x + 1) % 5], 1);
      for (let y = 0; y < 25; y += 5) s[y + x] ^= D;
    }
    for (let x = 0; x < 5; x++) for (let y = 0; y < 5; y++) B[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(s[x + 5 * y], KROT[x + 5 * y]);
    for (let y = 0; y < 25; y += 5) for (let x = 0; x < 5; x++) s[x + y] = B[x + y] ^ ((~B[(x + 1) % 5 + y] & M64) & B[(x + 2) % 5 + y]);
    s[0] ^= KRC[round];
  }
}
function keccak256(bytes) {
  const rate = 136, s = new Array(25).fill(0n);
  const p = new Uint8Array((Math.floor(bytes.length / rate) + 1) * rate);
  p.set(bytes); p[bytes.length] ^= 0x01; p[p.length - 1] ^= 0x80;
  for (let off = 0; off < p.length; off += rate) {
    for (let i = 0; i < rate / 8; i++) {
      let w = 0n;
      for (let b = 7; b >= 0; b--) w = (w << 8n) | BigInt(p[off + 8 * i + b]);
      s[i] ^= w;
    }
    keccakF(s);
  }
  let out = '';
  for (let i = 0; i < 4; i++) { let w = s[i]; for (let b = 0; b < 8; b++) { out += Number(w & 0xffn).toString(16).padStart(2, '0'); w >>= 8n; } }
  return out;
}
const checksumCache = new Map();
function checksum(addr) {
  const lower = addr.toLowerCase().replace(/^0x/, '');
  let c = checksumCache.get(lower);
  if (!c) {
    const h = keccak256(new TextEncoder().encode(lower));
    c = '0x' + [...lower].map((ch, i) => (parseInt(h[i], 16) >= 8 ? ch.toUpperCase() : ch)).join('');
    checksumCache.set(lower, c);
  }
  return c;
}
const shortAddr = (a) => { const c = checksum(a); return c.slice(0, 6) + '…' + c.slice(-4); };

// ---------------------------------------------------------------------------------------------
// Formatting.
const big = (hex) => (hex == null ? 0n : BigInt(hex));
const hexOf = (n) => '0x' + n.toString(16);
// The console's format: all 18 decimals, trailing zeros dropped (UInt256.formatted).
function fmtExact(wei, decimals = 18) {
  const neg = wei < 0n; if (neg) wei = -wei;
  const s = wei.toString().padStart(decimals + 1, '0');
  const int = s.slice(0, s.length - decimals), frac = s.slice(s.length - decimals).replace(/0+$/, '');
  return (neg ? '-' : '') + (frac ? int + '.' + frac : int);
}
// Table format: thousands grouped, `dp` decimals (rounded down).
function fmtToken(wei, dp = 4) {
  const s = wei.toString().padStart(19, '0');
  const int = s.slice(0, s.length - 18).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return dp ? int + '.' + s.slice(s.length - 18, s.length - 18 + dp) : int;
}
const pad2 = (n) => String(n).padStart(2, '0');
function fmtTime(ts, zone = true) {
  const d = new Date(ts * 1000);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${zone ? ' UTC' : ''}`;
}
function fmtDuration(secs) {
  const sign = secs < 0 ? '−' : '';
  let s = Math.abs(Math.round(secs));
  const y = Math.floor(s / YEAR); s -= y * YEAR;
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hms = `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
  if (y) return `${sign}${y} y ${d} d ${hms}`;
  return d ? `${sign}${d} d ${hms}` : sign + hms;
}
function fmtSeconds(secs) {
  const units = [[YEAR, 'y'], [86400, 'd'], [3600, 'h'], [60, 'min']];
  for (const [n, u] of units) if (secs >= n && secs % n === 0) return `${secs / n} ${u} (${secs.toLocaleString('en-US')} s)`;
  return `${secs.toLocaleString('en-US')} s`;
}
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

// ---------------------------------------------------------------------------------------------
// JSON-RPC over HTTP (POST / on this origin).
let nextId = 1;
class RPCError extends Error {
  constructor(method, err) { super(`${method}: ${err.message}`); this.code = err.code; }
}
async function post(body) {
  const r = await fetch('/', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return r.json();
}
async function rpc(method, params = []) {
  const j = await post({ jsonrpc: '2.0', id: nextId++, method, params });
  if (j.error) throw new RPCError(method, j.error);
  return j.result;
}
// `calls`: [[method, params], …]. Results in order; a failed call leaves an Error in its place.
async function batch(calls, chunk = 200) {
  const parts = [];
  for (let i = 0; i < calls.length; i += chunk) parts.push(calls.slice(i, i + chunk));
  const answers = await Promise.all(parts.map(async (part) => {
    const base = nextId; nextId += part.length;
    const res = await post(part.map(([m, p], k) => ({ jsonrpc: '2.0', id: base + k, method: m, params: p })));
    if (!Array.isArray(res)) throw new RPCError('batch', res.error || { message: 'not a batch answer' });
    const byId = new Map(res.map((r) => [r.id, r]));
    return part.map(([m], k) => {
      const r = byId.get(base + k);
      return !r ? new Error(`${m}: no answer`) : r.error ? new RPCError(m, r.error) : r.result;
    });
  }));
  return answers.flat();
}
const must = (v) => { if (v instanceof Error) throw v; return v; };
const callData = (sel, addr) => sel + (addr ? addr.toLowerCase().replace(/^0x/, '').padStart(64, '0') : '');
const ethCall = (to, data, block = 'latest') => ['eth_call', [{ to, data }, block]];

// ---------------------------------------------------------------------------------------------
// State.
const S = {
  status: null, head: null, genesisTs: null, offset: 0, chainId: null,
  contracts: {}, byAddress: new Map(),      // name → address, lower-case address → name
  labels: new Map(),                       // lower-case address → label ("dev 0", "operator", …)
  accounts: [], balances: new Map(),
  points: [], ratioThrough: -1,            // ratio series and the last block its logs cover
  txs: [], txThrough: -1, freshTxs: new Set(), blockTs: new Map(),
  supplies: null, loaded: false, renders: 0, chartMs: 0,
};
window.dashboard = S;

function chainNow() {
  // The node's clock: wall clock + offset, or genesis + offset with --no-wall-clock; a block can
  // be ahead of it (evm_setNextBlockTimestamp), and the chain never goes back.
  const base = NODE.wallClock ? Math.floor(Date.now() / 1000) : S.genesisTs;
  return Math.max(base + S.offset, S.head ? S.head.timestamp : 0);
}

function blockInfo(b) { return { number: Number(b.number), hash: b.hash, timestamp: Number(b.timestamp), txCount: b.transactions.length, transactions: b.transactions }; }

// The ratio series: genesis, then one point per RatioUpdate log on aMATICb.
async function fetchRatioLogs(from, to) {
  const filter = { address: S.contracts.aMATICb, topics: [RATIO_UPDATE], fromBlock: hexOf(from), toBlock: hexOf(to) };
  try {
    return await rpc('eth_getLogs', [filter]);
  } catch (e) {
    if (to <= from) throw e;                // too many results in one block: nothing to split
    const mid = Math.floor((from + to) / 2); // over --max-logs-results: split the range
    return (await fetchRatioLogs(from, mid)).concat(await fetchRatioLogs(mid + 1, to));
  }
}

// Places each log at a chain time. A block with one RatioUpdate puts it at its scheduled time
// (the last rebase due at or before the block), else at the block. A block that caught up on N
// rebases (a long warp) spreads them back from there, one interval apart, so a 30-day warp draws
// 30 steps; if they would not fit after the parent block, they are spread evenly instead.
async function addRatioLogs(logs) {
  if (!logs.length) return;
  const byBlock = new Map();
  for (const l of logs) {
    if (l.removed) continue;
    const n = Number(l.blockNumber);
    if (!byBlock.has(n)) byBlock.set(n, []);
    byBlock.get(n).push(l);
  }
  const need = new Set();
  for (const n of byBlock.keys()) { need.add(n); if (n > 0) need.add(n - 1); }
  const nums = [...need].filter((n) => !S.blockTs.has(n));
  const blocks = await batch(nums.map((n) => ['eth_getBlockByNumber', [hexOf(n), false]]), 100);
  nums.forEach((n, i) => { const b = blocks[i]; if (b && !(b instanceof Error)) S.blockTs.set(n, Number(b.timestamp)); });
  const I = S.status.rebaseInterval, A = S.status.nextRebaseTime;
  for (const n of [...byBlock.keys()].sort((a, b) => a - b)) {
    const ls = byBlock.get(n).sort((a, b) => Number(a.logIndex) - Number(b.logIndex));
    const T = S.blockTs.get(n), P = S.blockTs.has(n - 1) ? S.blockTs.get(n - 1) : T;
    const N = ls.length;
    let times;
    const lastDue = I > 0 ? (A > T ? A - Math.ceil((A - T) / I) * I : A) : T;
    if (I > 0 && lastDue <= T && lastDue - (N - 1) * I > P) times = ls.map((_, i) => lastDue - (N - 1 - i) * I);
    else if (N === 1) times = [T];
    else times = ls.map((_, i) => P + ((T - P) * (i + 1)) / N);
    ls.forEach((l, i) => {
      const r = BigInt(l.data.slice(0, 66));
      S.points.push({ t: times[i], r, v: Number(r) / 1e18, block: n, rebase: true });
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Refresh: one pass reads what changed since the last one; `full` starts over (first load,
// a revert or reset, a reconnect).
let wantFull = true, dirty = false, running = false;
function requestRefresh(full = false) {
  wantFull = wantFull || full; dirty = true;
  if (!running) pump();
}
async function pump() {
  running = true;
  while (dirty) {
    dirty = false;
    const full = wantFull; wantFull = false;
    try { await refresh(full); setConn(ws && ws.readyState === 1 ? 'live' : 'polling'); }
    catch (e) {
      // Start over after a failure: the state may be half updated.
      console.warn('refresh failed', e); setConn('error', e.message);
      await sleep(1000); wantFull = true; dirty = true;
    }
  }
  running = false;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function refresh(full) {
  const prev = S.head;
  const first = await batch([
    ['stakenet_status', []],
    ['eth_getBlockByNumber', ['latest', false]],
    ['evm_increaseTime', [0]],   // adds nothing; answers the clock offset
    ['eth_accounts', []],
    ['eth_chainId', []],
    ...(prev && !full ? [['eth_getBlockByNumber', [hexOf(prev.number), false]]] : []),
  ]);
  const status = must(first[0]), head = blockInfo(must(first[1]));
  if (prev && !full) {
    const same = first[5];
    if (!same || same instanceof Error || same.hash !== prev.hash) full = true;  // reverted or reset
  }
  S.status = status; S.offset = Number(must(first[2])); S.chainId = Number(must(first[4]));
  S.accounts = must(first[3]);
  if (full || !S.contracts.aMATICb) {
    S.contracts = status.contracts;
    S.byAddress = new Map(Object.entries(status.contracts).map(([k, v]) => [v.toLowerCase(), k]));
  }
  S.labels = new Map();
  S.accounts.forEach((a, i) => S.labels.set(a.toLowerCase(), `dev ${i}`));
  S.labels.set(status.operator.toLowerCase(), 'operator');
  S.labels.set(status.feeCollector.toLowerCase(), 'fee collector');
  S.labels.set(status.intermediary.toLowerCase(), 'intermediary');
  for (const [addr, name] of S.byAddress) S.labels.set(addr, name);

  if (full) {
    S.points = []; S.ratioThrough = -1; S.txs = []; S.txThrough = -1; S.blockTs = new Map(); S.freshTxs = new Set();
  }
  S.blockTs.set(head.number, head.timestamp);
  S.head = head;

  // Balances, supplies, the genesis block and ratio; new blocks for the transaction list.
  const C = S.contracts;
  const calls = [ethCall(C.aMATICb, SEL.totalSupply), ethCall(C.aMATICc, SEL.totalSupply)];
  for (const a of S.accounts) {
    calls.push(['eth_getBalance', [a, 'latest']], ethCall(C.MATIC, callData(SEL.balanceOf, a)),
      ethCall(C.aMATICb, callData(SEL.balanceOf, a)), ethCall(C.aMATICc, callData(SEL.balanceOf, a)));
  }
  const extra = calls.length;
  if (S.genesisTs == null || full) calls.push(['eth_getBlockByNumber', ['0x0', false]], ethCall(C.aMATICb, SEL.ratio, '0x0'));
  const scanFrom = Math.max(S.txThrough + 1, head.number - SCAN_BLOCKS + 1, 0);
  const scan = [];
  for (let n = head.number - 1; n >= scanFrom; n--) scan.push(n);
  const scanAt = calls.length;
  for (const n of scan) calls.push(['eth_getBlockByNumber', [hexOf(n), false]]);
  const second = await batch(calls);
  S.supplies = { bonds: big(must(second[0])), certs: big(must(second[1])) };
  S.balances = new Map();
  S.accounts.forEach((a, i) => {
    const [eth, matic, bonds, certs] = second.slice(2 + 4 * i, 6 + 4 * i).map((x) => big(must(x)));
    S.balances.set(a.toLowerCase(), { eth, matic, bonds, certs });
  });
  if (S.genesisTs == null || full) {
    const g = must(second[extra]);
    S.genesisTs = Number(g.timestamp);
    S.blockTs.set(0, S.genesisTs);
    const r0 = big(must(second[extra + 1]));
    S.points.push({ t: S.genesisTs, r: r0, v: Number(r0) / 1e18, block: 0, rebase: false });
  }

  // New ratio points.
  if (S.ratioThrough < head.number) {
    const logs = await fetchRatioLogs(S.ratioThrough + 1, head.number);
    await addRatioLogs(logs);
    S.points.sort((a, b) => a.t - b.t || a.block - b.block);
    S.ratioThrough = head.number;
  }

  // New transactions, newest first.
  const blocks = [head, ...scan.map((n, i) => blockInfo(must(second[scanAt + i])))];
  const hashes = [];
  for (const b of blocks) {
    if (b.number <= S.txThrough) continue;
    S.blockTs.set(b.number, b.timestamp);
    for (let i = b.transactions.length - 1; i >= 0 && hashes.length < RECENT_TXS; i--) hashes.push([b, i, b.transactions[i]]);
    if (hashes.length >= RECENT_TXS) break;
  }
  if (hashes.length) {
    const tx = await batch(hashes.flatMap(([, , h]) => [['eth_getTransactionByHash', [h]], ['eth_getTransactionReceipt', [h]]]));
    const rows = hashes.map(([b, i, h], k) => ({ block: b.number, index: i, blockTxs: b.txCount, hash: h, tx: tx[2 * k], receipt: tx[2 * k + 1] }))
      .filter((r) => r.tx && !(r.tx instanceof Error));
    S.freshTxs = new Set(S.loaded ? rows.map((r) => r.hash) : []);
    S.txs = rows.concat(S.txs).slice(0, RECENT_TXS);
  } else {
    S.freshTxs = new Set();
  }
  S.txThrough = head.number;

  render();
  if (!S.loaded) {
    S.loaded = true;
    S.loadMs = performance.now();
    $('timing').dataset.loadMs = S.loadMs.toFixed(1);
    document.body.dataset.ready = '1';
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering.
function setWei(el, wei, text) { el.dataset.wei = wei.toString(); el.textContent = text; el.title = fmtExact(wei); }

function render() {
  const st = S.status, h = S.head;
  $('chain-id').textContent = S.chainId;
  const hn = $('head-number'); hn.dataset.number = h.number; hn.textContent = '#' + h.number;
  $('head-hash').textContent = h.hash.slice(0, 10) + '…' + h.hash.slice(-6);
  $('head-hash').title = `${h.hash}\nmined at ${fmtTime(h.timestamp)}, ${h.txCount} transaction(s)`;
  const ratio = big(st.ratio);
  setWei($('ratio'), ratio, `${ratio / E18}.${(ratio % E18).toString().padStart(18, '0')}`);
  setWei($('supply-bonds'), S.supplies.bonds, fmtToken(S.supplies.bonds));
  setWei($('supply-certs'), S.supplies.certs, fmtToken(S.supplies.certs));
  setWei($('pool-matic'), big(st.poolMaticBalance), fmtToken(big(st.poolMaticBalance)));
  setWei($('intermediary-matic'), big(st.intermediaryMaticBalance), fmtToken(big(st.intermediaryMaticBalance)));
  setWei($('pending-stakes'), big(st.totalPendingStakes), fmtToken(big(st.totalPendingStakes)));
  $('op-apr').textContent = `${(st.apr / 100).toFixed(2)} % (${st.apr} bps)`;
  $('op-interval').textContent = fmtSeconds(st.rebaseInterval);
  $('op-unbond').textContent = fmtSeconds(st.unbondPeriod);
  $('op-mode').textContent = st.mode;
  $('op-rebases').textContent = st.rebasesDone.toLocaleString('en-US');
  $('next-rebase').dataset.ts = st.nextRebaseTime;

  // Claims.
  const claims = st.pendingClaims;
  $('claims-count').textContent = claims.length ? `(${claims.length})` : '';
  $('claims-empty').hidden = claims.length > 0;
  $('claims').tBodies[0].innerHTML = claims.map((c) => {
    const amt = big(c.amount);
    return `<tr data-index="${c.index}" data-recipient="${esc(c.recipient)}" data-amount="${amt}" data-due="${c.dueTime}">` +
      `<td>${c.index}</td><td title="${esc(c.recipient)}">${esc(label(c.recipient))}</td>` +
      `<td class="num" title="${fmtExact(amt)}">${fmtToken(amt)}</td><td class="due-time">${fmtTime(c.dueTime, false)}</td>` +
      `<td class="num countdown"></td></tr>`;
  }).join('');
  $('warp-claim').disabled = claims.length === 0;

  // Transactions, newest first; a run of the same call from one sender in one block (a long
  // warp's rebases) is one row with a count.
  const groups = [];
  S.txs.forEach((r, k) => {
    const rc = r.receipt && !(r.receipt instanceof Error) ? r.receipt : null;
    const ok = rc ? rc.status === '0x1' : null;
    const call = describeTx(r.tx, rc), method = call.split('(')[0], from = r.tx.from.toLowerCase();
    const g = groups[groups.length - 1];
    if (g && g.block === r.block && g.from === from && g.method === method && g.ok === ok) {
      g.rows.push(r);
    } else {
      groups.push({ block: r.block, from, method, call, ok, rows: [r], gas: rc ? Number(rc.gasUsed).toLocaleString('en-US') : '' });
    }
    const next = S.txs[k + 1];
    // The block's earlier transactions were not fetched: the count is a lower bound.
    groups[groups.length - 1].more = r.index > 0 && !(next && next.block === r.block) ? r.blockTxs : 0;
  });
  $('txs-empty').hidden = S.txs.length > 0;
  $('txs').tBodies[0].innerHTML = groups.slice(0, TX_ROWS).map((g) => {
    const r = g.rows[0], n = g.rows.length;
    const fresh = g.rows.some((x) => S.freshTxs.has(x.hash));
    const count = n > 1 || g.more ? ` <span class="count" title="${n} shown${g.more ? ` of the ${g.more.toLocaleString('en-US')} in block #${g.block}` : ''}">×${n}${g.more ? '+' : ''}</span>` : '';
    return `<tr data-hash="${r.hash}" data-count="${n}"${fresh ? ' class="fresh"' : ''}>` +
      `<td class="num">${g.block}</td><td><code title="${r.hash}">${r.hash.slice(0, 10)}…</code></td>` +
      `<td title="${esc(checksum(r.tx.from))}">${esc(label(r.tx.from))}</td><td class="call">${esc(g.call)}${count}</td>` +
      `<td class="${g.ok === false ? 'bad' : 'ok'}">${g.ok === null ? '…' : g.ok ? 'ok' : 'reverted'}</td><td class="num">${g.gas}</td></tr>`;
  }).join('');

  // Accounts.
  $('accounts').tBodies[0].innerHTML = S.accounts.map((a, i) => {
    const b = S.balances.get(a.toLowerCase());
    const cell = (w) => `<td class="num" data-wei="${w}" title="${fmtExact(w)}">${fmtToken(w)}</td>`;
    const addr = checksum(a);
    return `<tr data-address="${addr}"><td>${i}</td><td><code>${addr}</code></td>${cell(b.eth)}${cell(b.matic)}${cell(b.bonds)}${cell(b.certs)}</tr>`;
  }).join('');

  drawChart();
  tick();
  S.renders++;
  document.body.dataset.renders = S.renders;
}

function label(addr) {
  const l = S.labels.get(addr.toLowerCase());
  return l ? `${l} ${shortAddr(addr)}` : shortAddr(addr);
}

// Every second: the chain clock, its offset from the wall clock, and the countdowns.
function tick() {
  if (!S.status) return;
  const now = chainNow();
  const cc = $('chain-clock');
  if (cc.dataset.ts !== String(now)) { cc.dataset.ts = now; cc.textContent = fmtTime(now); }
  const off = now - Math.floor(Date.now() / 1000);
  $('clock-offset').textContent = off === 0 ? 'in step with the wall clock'
    : `${off > 0 ? '+' : ''}${fmtDuration(off)} ${off > 0 ? 'ahead of' : 'behind'} the wall clock`;
  const next = S.status.nextRebaseTime;
  const left = next - now;
  $('next-rebase').textContent = fmtTime(next, false);
  $('next-rebase-in').textContent = left > 0 ? fmtDuration(left) : 'due';
  $('warp-rebase').textContent = left > 0 ? `to next rebase (+${fmtDuration(left)})` : 'to next rebase';
  let soonest = null;
  for (const tr of $('claims').tBodies[0].rows) {
    const due = Number(tr.dataset.due), cell = tr.querySelector('.countdown');
    if (soonest === null || due < soonest) soonest = due;
    const d = due - now;
    cell.textContent = d > 0 ? fmtDuration(d) : 'due';
    cell.classList.toggle('due', d <= 0);
  }
  $('warp-claim').textContent = soonest !== null && soonest > now ? `to next claim (+${fmtDuration(soonest - now)})` : 'to next claim';
}

// Calldata decoded as the node's console prints it: `aMATICb.transfer(0x7099…79C8, 1.5)`.
function describeTx(tx, receipt) {
  const data = tx.input || tx.data || '0x';
  if (!tx.to) {
    const made = receipt && !(receipt instanceof Error) && receipt.contractAddress;
    return 'contract creation' + (made ? ' → ' + shortAddr(made) : '');
  }
  const name = S.byAddress.get(tx.to.toLowerCase());
  if (name) return describeCall(name, data);
  if (data === '0x') return `transfer ${fmtExact(big(tx.value))} ETH to ${label(tx.to)}`;
  return `call ${label(tx.to)} ${data.slice(0, 10)}…`;
}
function describeCall(contract, data) {
  const hex = data.slice(2).toLowerCase();
  if (hex.length < 8) return hex.length === 0 ? `${contract} (plain transfer)` : `${contract}.${data}`;
  const f = (NODE.functions[contract] || {})[hex.slice(0, 8)];
  if (!f) return `${contract}.0x${hex.slice(0, 8)}(…)`;
  const [name, inputs] = f;
  const args = inputs.map(([type, format], i) => decodeArg(hex, i, type, format));
  return `${contract}.${name}(${args.join(', ')})`;
}
function decodeArg(hex, i, type, format) {
  const word = (k) => { const w = hex.slice(8 + 64 * k, 8 + 64 * (k + 1)); return w.length === 64 ? w : null; };
  const w = word(i);
  if (w === null) return '?';
  switch (format) {
    case 'address': return shortAddr('0x' + w.slice(24));
    case 'amount': return fmtExact(BigInt('0x' + w));
    case 'integer': return BigInt('0x' + w).toString();
    case 'bool': return BigInt('0x' + w) === 0n ? 'false' : 'true';
    case 'bytes':
    case 'string': {
      if (type === 'bytes4') return '0x' + w.slice(0, 8);
      const off = Number(BigInt('0x' + w)) * 2, len = Number(BigInt('0x' + (hex.slice(8 + off, 8 + off + 64) || '0')));
      const body = hex.slice(8 + off + 64, 8 + off + 64 + 2 * len);
      if (format === 'bytes') return '0x' + (len > 8 ? body.slice(0, 16) + '…' : body);
      const bytes = new Uint8Array((body.slice(0, 80).match(/../g) || []).map((b) => parseInt(b, 16)));
      return `"${new TextDecoder().decode(bytes)}${len > 40 ? '…' : ''}"`;
    }
    default: return '?';
  }
}

// ---------------------------------------------------------------------------------------------
// The chart: the ratio as a step line over chain time, one tick per rebase under the axis.
// Points are bucketed per pixel column (first, lowest, highest, last), so 3 650 rebases draw as
// fast as 30: the path has at most four vertices per column.
let chartCols = [];
function drawChart() {
  const t0 = performance.now();
  const svg = $('chart'), pts = S.points;
  const W = Math.max(320, Math.round(svg.getBoundingClientRect().width || 900)), H = 240;
  const padL = 92, padR = 14, padT = 10, padB = 26;
  const rebases = pts.reduce((n, p) => n + (p.rebase ? 1 : 0), 0);
  svg.dataset.points = pts.length; svg.dataset.rebases = rebases;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  if (!pts.length) { svg.innerHTML = ''; return; }
  const tStart = pts[0].t, tEnd = Math.max(chainNow(), pts[pts.length - 1].t), span = Math.max(1, tEnd - tStart);
  let lo = Infinity, hi = -Infinity;
  for (const p of pts) { if (p.v < lo) lo = p.v; if (p.v > hi) hi = p.v; }
  if (hi - lo < 1e-12) { lo -= 1e-4; hi += 1e-4; } else { const m = (hi - lo) * 0.08; lo -= m; hi += m; }
  const x0 = padL, x1 = W - padR, y0 = padT, y1 = H - padB;
  const X = (t) => x0 + ((t - tStart) / span) * (x1 - x0);
  const Y = (v) => y0 + ((hi - v) / (hi - lo)) * (y1 - y0);
  const f = (n) => n.toFixed(1);

  // Bucket per pixel column.
  chartCols = [];
  let cur = null;
  for (const p of pts) {
    const px = Math.round(X(p.t));
    if (!cur || cur.px !== px) {
      cur = { px, first: p, lo: p, hi: p, last: p, rebase: p.rebase };
      chartCols.push(cur);
    } else {
      if (p.v < cur.lo.v) cur.lo = p;
      if (p.v > cur.hi.v) cur.hi = p;
      cur.last = p; cur.rebase = cur.rebase || p.rebase;
    }
  }
  let d = `M${f(chartCols[0].px)} ${f(Y(chartCols[0].first.v))}`;
  let marks = '', markCols = 0;
  for (const c of chartCols) {
    d += `H${c.px}V${f(Y(c.first.v))}`;
    if (c.lo !== c.first || c.hi !== c.first || c.last !== c.first) d += `V${f(Y(c.hi.v))}V${f(Y(c.lo.v))}V${f(Y(c.last.v))}`;
    if (c.rebase) { marks += `M${c.px} ${y1 + 1}v5`; markCols++; }
  }
  d += `H${f(X(tEnd))}`;
  const area = d + `V${y1}H${f(X(tStart))}Z`;

  // Axes: 5 ratio levels, 6 time labels.
  let grid = '', labels = '';
  const digits = Math.min(12, Math.max(4, Math.ceil(-Math.log10(hi - lo)) + 2));
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4, y = f(Y(v));
    grid += `M${x0} ${y}H${x1}`;
    labels += `<text x="${x0 - 6}" y="${y}" dy="3.5" text-anchor="end">${v.toFixed(digits)}</text>`;
  }
  for (let k = 0; k <= 5; k++) {
    const t = tStart + (span * k) / 5, x = f(X(t));
    const dt = new Date(t * 1000);
    const txt = span > 2 * YEAR ? `${dt.getUTCFullYear()}-${pad2(dt.getUTCMonth() + 1)}`
      : span > 3 * 86400 ? `${dt.getUTCFullYear()}-${pad2(dt.getUTCMonth() + 1)}-${pad2(dt.getUTCDate())}`
      : `${pad2(dt.getUTCMonth() + 1)}-${pad2(dt.getUTCDate())} ${pad2(dt.getUTCHours())}:${pad2(dt.getUTCMinutes())}`;
    labels += `<text x="${x}" y="${H - 6}" text-anchor="${k === 0 ? 'start' : k === 5 ? 'end' : 'middle'}">${txt}</text>`;
  }
  const nowX = f(X(chainNow()));
  svg.innerHTML = `<path class="grid" d="${grid}"/><path class="area" d="${area}"/><path class="line" d="${d}"/>` +
    `<path class="marks${markCols > (x1 - x0) / 4 ? ' dense' : ''}" d="${marks}"/><path class="now" d="M${nowX} ${y0}V${y1}"/>${labels}` +
    `<path class="cursor" id="chart-cursor" d="" />`;

  // Implied APR: the last rebase's growth over one interval, annualised; APY over the whole chart.
  const rb = pts.filter((p) => p.rebase);
  const last = pts[pts.length - 1];
  const prev = pts.length > 1 ? pts[pts.length - 2] : null;
  if (prev && last.rebase && last.r > 0n && S.status.rebaseInterval > 0) {
    const growth = Number(((prev.r - last.r) * 10n ** 18n) / last.r) / 1e18;
    $('implied-apr').textContent = (growth * YEAR / S.status.rebaseInterval * 100).toFixed(2) + ' %';
  } else $('implied-apr').textContent = '–';
  if (rb.length && last.t > pts[0].t && last.r > 0n) {
    const g = Number((pts[0].r * 10n ** 12n) / last.r) / 1e12;
    $('implied-apy').textContent = ((Math.pow(g, YEAR / (last.t - pts[0].t)) - 1) * 100).toFixed(2) + ' %';
  } else $('implied-apy').textContent = '–';

  S.chartMs = performance.now() - t0;
  const tm = $('timing');
  tm.dataset.chartMs = S.chartMs.toFixed(2);
  tm.textContent = `${pts.length.toLocaleString('en-US')} ratio points (${rebases.toLocaleString('en-US')} rebases) drawn in ${S.chartMs.toFixed(1)} ms` +
    (S.loadMs ? ` · page ready ${Math.round(S.loadMs)} ms after navigation` : '');
}

// Hover: the nearest column's ratio and time.
function chartHover(ev) {
  const svg = $('chart'), tip = $('chart-tip'), cursor = document.getElementById('chart-cursor');
  if (!chartCols.length || !cursor) return;
  const box = svg.getBoundingClientRect();
  const vb = svg.viewBox.baseVal, x = ((ev.clientX - box.left) / box.width) * vb.width;
  let lo = 0, hi = chartCols.length - 1;
  while (lo < hi) { const m = (lo + hi) >> 1; if (chartCols[m].px < x) lo = m + 1; else hi = m; }
  if (lo > 0 && Math.abs(chartCols[lo - 1].px - x) < Math.abs(chartCols[lo].px - x)) lo--;
  const c = chartCols[lo], p = c.last;
  cursor.setAttribute('d', `M${c.px} 10V${vb.height - 26}`);
  tip.hidden = false;
  tip.textContent = `${fmtTime(Math.round(p.t))} · ratio ${fmtExact(p.r)} · block #${p.block}`;
  const left = (c.px / vb.width) * box.width;
  tip.style.left = Math.min(Math.max(0, left - tip.offsetWidth / 2), box.width - tip.offsetWidth) + 'px';
}

// ---------------------------------------------------------------------------------------------
// Warps.
function parseDuration(text) {
  const units = { s: 1, sec: 1, m: 60, min: 60, h: 3600, d: 86400, w: 604800, y: YEAR };
  const parts = text.trim().toLowerCase().match(/\d+(?:\.\d+)?\s*[a-z]*/g);
  if (!parts || parts.join('').replace(/\s/g, '') !== text.replace(/\s/g, '').toLowerCase()) return null;
  let total = 0;
  for (const p of parts) {
    const m = p.match(/^(\d+(?:\.\d+)?)\s*([a-z]*)$/);
    const u = m[2] === '' ? 1 : units[m[2]];
    if (u === undefined) return null;
    total += parseFloat(m[1]) * u;
  }
  return Math.round(total);
}
function setResult(text, error = false) { const r = $('warp-result'); r.textContent = text; r.classList.toggle('error', error); }

async function doWarp(what) {
  const buttons = document.querySelectorAll('#warp-card button');
  buttons.forEach((b) => { b.disabled = true; });
  const before = S.points.length, fromTs = chainNow();
  try {
    const ts = await what();
    await waitForHead();
    const added = S.points.length - before;
    setResult(`warped ${fmtDuration(ts - fromTs)} to ${fmtTime(ts)}: block #${S.head.number}, ${added} rebase${added === 1 ? '' : 's'}`);
  } catch (e) {
    setResult(e.message, true);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    $('warp-claim').disabled = !(S.status && S.status.pendingClaims.length);
  }
}
async function warpBy(seconds) { return rpc('stakenet_warp', [seconds]); }
// To an absolute chain time: asks the node's clock, warps by the difference, and goes again if
// a wall-clock second slipped in between.
async function warpTo(target) {
  let ts = 0;
  for (let i = 0; i < 3; i++) {
    S.offset = Number(await rpc('evm_increaseTime', [0]));
    ts = await warpBy(Math.max(0, target - chainNow()));
    if (ts >= target) return ts;
  }
  return ts;
}
// Lets the refresh that the new block started finish, so the result line counts its rebases.
async function waitForHead() { requestRefresh(); while (running || dirty) await sleep(20); }

// ---------------------------------------------------------------------------------------------
// WebSocket: newHeads and the RatioUpdate logs start a refresh.
let ws = null, subs = {};
function setConn(state, why) {
  const c = $('conn');
  c.dataset.state = state;
  c.textContent = state === 'live' ? 'live' : state === 'error' ? `error: ${why}` : state === 'polling' ? 'reconnecting…' : state;
}
function connect() {
  ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/');
  subs = {};
  ws.onopen = () => {
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 'heads', method: 'eth_subscribe', params: ['newHeads'] }));
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 'ratio', method: 'eth_subscribe', params: ['logs', { address: S.contracts.aMATICb, topics: [RATIO_UPDATE] }] }));
    setConn('live');
    requestRefresh(S.loaded);   // whatever happened while disconnected
  };
  ws.onmessage = (ev) => {
    let m; try { m = JSON.parse(ev.data); } catch { return; }
    if (m.id === 'heads' || m.id === 'ratio') { if (m.result) subs[m.result] = m.id; return; }
    if (m.method !== 'eth_subscription' || !m.params) return;
    const kind = subs[m.params.subscription];
    if (kind === 'heads') {
      const h = m.params.result;
      S.blockTs.set(Number(h.number), Number(h.timestamp));
      requestRefresh();
    } else if (kind === 'ratio') {
      requestRefresh();
    }
  };
  ws.onclose = () => { setConn('polling'); setTimeout(connect, 1000); };
}

// ---------------------------------------------------------------------------------------------
async function start() {
  document.querySelectorAll('button[data-seconds]').forEach((b) => {
    b.addEventListener('click', () => doWarp(() => warpBy(Number(b.dataset.seconds))));
  });
  $('warp-rebase').addEventListener('click', () => doWarp(() => warpTo(S.status.nextRebaseTime)));
  $('warp-claim').addEventListener('click', () => {
    const dues = S.status.pendingClaims.map((c) => c.dueTime);
    if (dues.length) doWarp(() => warpTo(Math.min(...dues)));
  });
  $('warp-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const s = parseDuration($('warp-input').value);
    if (s === null) { setResult('Say how far: 3600, 90m, 12h, 30d, 2w, 1y, or "1d 6h".', true); return; }
    doWarp(() => warpBy(s));
  });
  const svg = $('chart');
  svg.addEventListener('mousemove', chartHover);
  svg.addEventListener('mouseleave', () => { $('chart-tip').hidden = true; const c = document.getElementById('chart-cursor'); if (c) c.setAttribute('d', ''); });
  window.addEventListener('resize', () => { if (S.loaded) drawChart(); });
  setInterval(tick, 1000);
  requestRefresh(true);
  while (!S.contracts.aMATICb) await sleep(50);
  connect();
}
start();
"""#
}

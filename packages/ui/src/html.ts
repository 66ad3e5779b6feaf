/**
 * The page's HTML: one document with its CSS inline and one module script served by the
 * UI server itself (/app/page/main.js). Nothing is loaded from elsewhere.
 */
const CSS = `
:root { --bg:#0f1419; --panel:#171d24; --line:#26303b; --fg:#d8dee6; --dim:#8593a3;
  --ok:#3fb950; --warn:#d29922; --bad:#f85149; --acc:#58a6ff; --mono: ui-monospace, SFMono-Regular, Menlo, monospace; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg); font: 13px/1.45 system-ui, sans-serif; }
header { display:flex; gap:16px; align-items:center; padding:10px 16px; border-bottom:1px solid var(--line); background:var(--panel); }
header h1 { font-size:15px; margin:0; }
header .meta { color:var(--dim); font-family:var(--mono); font-size:12px; }
.pill { padding:2px 8px; border-radius:10px; font-size:12px; border:1px solid var(--line); }
.pill.live { color:var(--ok); border-color:var(--ok); } .pill.stale { color:var(--bad); border-color:var(--bad); }
main { display:grid; grid-template-columns: minmax(0,1fr) 380px; gap:12px; padding:12px; }
section { background:var(--panel); border:1px solid var(--line); border-radius:6px; padding:10px 12px; margin-bottom:12px; }
section h2 { font-size:13px; margin:0 0 8px; color:var(--dim); text-transform:uppercase; letter-spacing:.05em; }
table { border-collapse:collapse; width:100%; font-family:var(--mono); font-size:12px; }
th, td { text-align:left; padding:3px 8px; border-bottom:1px solid var(--line); white-space:nowrap; }
th { color:var(--dim); font-weight:normal; }
tr.under-replicated td { background: rgba(210,153,34,.12); } tr.offline td { background: rgba(248,81,73,.16); }
.dead { color:var(--bad); } .alive { color:var(--ok); } .ctl { color:var(--acc); font-weight:bold; }
.tag { display:inline-block; padding:0 6px; border-radius:8px; font-size:11px; border:1px solid var(--line); }
.tag.under-replicated { color:var(--warn); border-color:var(--warn); } .tag.offline { color:var(--bad); border-color:var(--bad); } .tag.ok { color:var(--ok); border-color:var(--ok); }
.replica { margin-right:6px; } .replica.out { color:var(--bad); text-decoration:line-through; } .replica.leader { color:var(--acc); font-weight:bold; }
.chips { display:flex; gap:8px; flex-wrap:wrap; }
.chip { background:var(--bg); border:1px solid var(--line); border-radius:4px; padding:4px 8px; font-family:var(--mono); }
.chip b { font-size:15px; }
#events ol { list-style:none; margin:0; padding:0; max-height:520px; overflow:auto; font-family:var(--mono); font-size:12px; }
#events li { padding:4px 0; border-bottom:1px solid var(--line); }
#events li .t { color:var(--dim); margin-right:6px; }
#events li.election { color:#e3b341; } #events li.election.unclean, #events li.election.offline { color:var(--bad); }
#events li.isr { color:#a5d6ff; } #events li.controller { color:var(--acc); } #events li.broker { color:#d2a8ff; } #events li.state-change { color:var(--dim); } #events li.fault { color:var(--bad); }
button { background:var(--bg); color:var(--fg); border:1px solid var(--line); border-radius:4px; padding:1px 7px; cursor:pointer; font-size:11px; }
button:hover { border-color:var(--acc); }
#znodes .tree { font-family:var(--mono); font-size:12px; max-height:360px; overflow:auto; }
#znodes .node { cursor:pointer; padding:1px 0; } #znodes .node:hover { color:var(--acc); }
#znodes pre { background:var(--bg); border:1px solid var(--line); padding:8px; overflow:auto; max-height:360px; margin:0; font-size:12px; }
#znodes .cols { display:grid; grid-template-columns: 300px minmax(0,1fr); gap:12px; }
.empty { color:var(--dim); font-style:italic; }
`;

export function renderIndexHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kzoo — live cluster</title>
<link rel="icon" href="data:,">
<style>${CSS}</style>
</head>
<body>
<header>
  <h1>kzoo live</h1>
  <span id="conn" class="pill stale">connecting</span>
  <span id="meta" class="meta"></span>
</header>
<main>
  <div>
    <section><h2>Cluster</h2><div id="summary" class="chips"></div></section>
    <section><h2>Brokers</h2><div id="brokers"></div></section>
    <section><h2>Partitions</h2><div id="partitions"></div></section>
    <section><h2>Consumer groups</h2><div id="groups"></div></section>
    <section id="znodes"><h2>ZooKeeper</h2>
      <div class="cols"><div class="tree" id="ztree"></div><div><div id="zpath" class="meta"></div><pre id="zdata"></pre></div></div>
    </section>
  </div>
  <div>
    <section id="events"><h2>Events</h2><ol></ol></section>
  </div>
</main>
<script type="module" src="/app/page/main.js"></script>
</body>
</html>
`;
}

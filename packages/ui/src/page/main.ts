/**
 * The page: opens the WebSocket, feeds every message to the pure reducer (reducer.ts)
 * and draws the state (at most once per animation frame). The znode browser asks the
 * server for one znode when a node is clicked; nothing is polled.
 */
import {
  PROCESS_FAULTS,
  type ClusterView,
  type FaultAction,
  type ServerMessage,
  type UiEvent,
  type ZnodeView,
} from '../protocol.js';
import {
  disconnected,
  initialState,
  partitionHealth,
  reduce,
  summarize,
  type PageState,
} from './reducer.js';

let state: PageState = initialState;
let drawPending = false;

const $ = (id: string): HTMLElement => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el;
};

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function time(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

function schedule(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    draw();
  });
}

function apply(msg: ServerMessage): void {
  state = reduce(state, msg);
  schedule();
}

// ---------------------------------------------------------------- socket

let backoffMs = 250;
function connect(): void {
  const ws = new WebSocket(
    `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
  );
  ws.onopen = () => {
    backoffMs = 250;
  };
  ws.onmessage = (e: MessageEvent<string>) => apply(JSON.parse(e.data) as ServerMessage);
  ws.onclose = () => {
    state = disconnected(state);
    schedule();
    // The browser has no injected clock; reconnecting is the page's only timer.
    window.setTimeout(connect, backoffMs);
    backoffMs = Math.min(backoffMs * 2, 5000);
  };
}

// ---------------------------------------------------------------- drawing

function draw(): void {
  const conn = $('conn');
  conn.textContent = state.connected ? 'live' : 'disconnected';
  conn.className = `pill ${state.connected ? 'live' : 'stale'}`;
  const c = state.cluster;
  if (!c) return;
  $('meta').textContent = `zk ${c.zk} · cluster ${c.clusterId ?? '?'}`;
  drawSummary(c);
  drawBrokers(c);
  drawPartitions(c);
  drawGroups(c);
  drawEvents(state.events);
}

function drawSummary(c: ClusterView): void {
  const s = summarize(c);
  const chip = (label: string, v: string | number, id: string) =>
    `<span class="chip" data-testid="${id}">${esc(label)} <b>${esc(v)}</b></span>`;
  $('summary').innerHTML = [
    chip('controller', c.controller.brokerId >= 0 ? c.controller.brokerId : 'none', 'controller'),
    chip('controller epoch', c.controller.epoch, 'controller-epoch'),
    chip('brokers live', `${s.liveBrokers}/${c.brokers.length}`, 'brokers-live'),
    chip('partitions', s.partitions, 'partition-count'),
    chip('under-replicated', s.underReplicated, 'under-replicated'),
    chip('offline', s.offline, 'offline'),
    chip('total lag', s.totalLag, 'total-lag'),
  ].join('');
}

function drawBrokers(c: ClusterView): void {
  if (c.brokers.length === 0) {
    $('brokers').innerHTML = '<div class="empty">no broker registered</div>';
    return;
  }
  const offered = c.faultActions ?? PROCESS_FAULTS;
  const faults = (id: number, alive: boolean) =>
    !c.faults
      ? ''
      : offered
          // A dead broker can only be restarted, or have its links healed.
          .filter((a) => alive || a === 'restart' || a === 'heal')
          .map((a) => `<button data-fault="${a}" data-broker="${id}">${a}</button>`)
          .join(' ');
  const rows = c.brokers
    .map((b) => {
      const ctl = b.id === c.controller.brokerId;
      return `<tr data-testid="broker-${b.id}" data-alive="${b.alive}">
        <td class="${ctl ? 'ctl' : ''}">${b.id}${ctl ? ' ★ controller' : ''}</td>
        <td class="${b.alive ? 'alive' : 'dead'}">${b.alive ? 'alive' : 'dead'}</td>
        <td>${b.brokerEpoch >= 0 ? b.brokerEpoch : '–'}</td>
        <td>${esc(b.endpoints.join(' '))}</td>
        <td>${esc(b.rack ?? '')}</td>
        <td>${faults(b.id, b.alive)}</td></tr>`;
    })
    .join('');
  $('brokers').innerHTML = `<table><thead><tr><th>id</th><th>state</th><th>broker epoch (czxid)</th>
    <th>endpoints</th><th>rack</th><th>${c.faults ? 'faults' : ''}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function drawPartitions(c: ClusterView): void {
  if (c.partitions.length === 0) {
    $('partitions').innerHTML = '<div class="empty">no topic yet</div>';
    return;
  }
  const live = new Set(c.brokers.filter((b) => b.alive).map((b) => b.id));
  const rows = c.partitions
    .map((p) => {
      const h = partitionHealth(p, live);
      const replicas = p.replicas
        .map((r) => {
          const cls = [
            'replica',
            r === p.leader ? 'leader' : '',
            !p.isr.includes(r) ? 'out' : '',
          ].join(' ');
          const leo = p.logEndOffsets[String(r)];
          return `<span class="${cls}" title="${live.has(r) ? 'live' : 'dead'}">${r}${leo !== undefined ? `:${leo}` : ''}</span>`;
        })
        .join('');
      return `<tr class="${h}" data-testid="partition-${esc(p.topic)}-${p.partition}"
          data-leader="${p.leader}" data-isr="${p.isr.join(',')}" data-health="${h}">
        <td>${esc(p.topic)}</td><td>${p.partition}</td>
        <td>${p.leader >= 0 ? p.leader : 'none'}</td><td>${p.leaderEpoch}</td>
        <td>[${p.isr.join(',')}]</td><td>${replicas}</td>
        <td>${p.highWatermark >= 0 ? p.highWatermark : '?'}</td>
        <td><span class="tag ${h}">${h}</span></td>
        <td>${p.zkVersion >= 0 ? p.zkVersion : '–'}</td></tr>`;
    })
    .join('');
  $('partitions').innerHTML = `<table><thead><tr><th>topic</th><th>p</th><th>leader</th>
    <th>leader epoch</th><th>ISR</th><th>replicas (id:LEO)</th><th>HW</th><th>health</th>
    <th>zkVersion</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function drawGroups(c: ClusterView): void {
  if (c.groups.length === 0) {
    $('groups').innerHTML = '<div class="empty">no consumer group</div>';
    return;
  }
  $('groups').innerHTML = c.groups
    .map((g) => {
      const owner = new Map<string, string>();
      for (const m of g.members) for (const tp of m.assignment) owner.set(tp, m.clientId);
      const rows = g.offsets
        .map(
          (
            o,
          ) => `<tr data-testid="group-${esc(g.groupId)}-${esc(o.topic)}-${o.partition}" data-lag="${o.lag}">
            <td>${esc(o.topic)}</td><td>${o.partition}</td><td>${o.committed}</td>
            <td>${o.end >= 0 ? o.end : '?'}</td><td>${o.lag >= 0 ? o.lag : '?'}</td>
            <td>${esc(owner.get(`${o.topic}-${o.partition}`) ?? '')}</td></tr>`,
        )
        .join('');
      return `<div data-testid="group-${esc(g.groupId)}"><b>${esc(g.groupId)}</b>
        <span class="tag">${esc(g.state)}</span> protocol ${esc(g.protocol || '–')},
        coordinator ${g.coordinator}, ${g.members.length} member(s)
        <table><thead><tr><th>topic</th><th>p</th><th>committed</th><th>end (HW)</th><th>lag</th>
        <th>owner</th></tr></thead><tbody>${rows || '<tr><td colspan="6" class="empty">no committed offsets</td></tr>'}</tbody></table></div>`;
    })
    .join('<br>');
}

function drawEvents(events: UiEvent[]): void {
  const ol = document.querySelector('#events ol');
  if (!ol) return;
  ol.innerHTML = events
    .map(
      (e) =>
        `<li class="${e.kind} ${esc(e.election ?? '')}" data-kind="${e.kind}" data-election="${esc(e.election ?? '')}"` +
        ` data-topic="${esc(e.topic ?? '')}"><span class="t">${time(e.timeMs)}</span>${esc(e.text)}</li>`,
    )
    .join('');
}

// ---------------------------------------------------------------- faults

document.addEventListener('click', (ev) => {
  const t = ev.target as HTMLElement;
  const action = t.dataset.fault as FaultAction | undefined;
  if (!action) return;
  const id = t.dataset.broker;
  if (!confirm(`${action} broker ${id}?`)) return;
  void fetch(`/api/fault/${action}/${id}`, { method: 'POST', headers: { 'x-kzoo-ui': '1' } })
    .then(async (r) => {
      const body = (await r.json()) as { error?: string };
      if (!r.ok) alert(body.error ?? `${action} failed`);
    })
    .catch((e: Error) => alert(e.message));
});

// ---------------------------------------------------------------- znode browser

const expanded = new Set<string>(['/']);
const childrenOf = new Map<string, string[]>();

async function loadZnode(path: string): Promise<ZnodeView> {
  const r = await fetch(`/api/znode?path=${encodeURIComponent(path)}`);
  const v = (await r.json()) as ZnodeView & { error?: string };
  if (!r.ok) throw new Error(v.error ?? `${r.status}`);
  childrenOf.set(path, v.children);
  return v;
}

function drawTree(): void {
  const lines: string[] = [];
  const walk = (path: string, depth: number) => {
    const name = path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1);
    const kids = childrenOf.get(path);
    const open = expanded.has(path);
    const mark = kids && kids.length === 0 ? '·' : open ? '▾' : '▸';
    lines.push(
      `<div class="node" data-znode="${esc(path)}" style="padding-left:${depth * 14}px">${mark} ${esc(name)}</div>`,
    );
    if (open && kids)
      for (const k of kids) walk(path === '/' ? `/${k}` : `${path}/${k}`, depth + 1);
  };
  walk('/', 0);
  $('ztree').innerHTML = lines.join('');
}

async function openZnode(path: string): Promise<void> {
  const v = await loadZnode(path);
  if (expanded.has(path) && path !== '/') expanded.delete(path);
  else expanded.add(path);
  $('zpath').textContent =
    `${v.path}  ·  ${v.children.length} children` +
    (v.stat
      ? `  ·  version ${String(v.stat.version)}  ·  mtime ${new Date(Number(v.stat.mtime)).toISOString()}`
      : '');
  $('zdata').textContent =
    v.json !== null ? JSON.stringify(v.json, null, 2) : v.data === null ? '(no data)' : v.data;
  drawTree();
}

$('ztree').addEventListener('click', (ev) => {
  const path = (ev.target as HTMLElement).dataset.znode;
  if (path) void openZnode(path).catch((e: Error) => ($('zdata').textContent = e.message));
});

void loadZnode('/')
  .then(drawTree)
  .catch(() => undefined);
connect();

import { escapeHtml } from '../report/html.js';
import { msFromUs } from '../core/ms-text.js';
import { chartAssets, chartFigure } from '../report/chart/chart-html.js';
import { COLORS, type ChartSpec } from '../report/chart/chart-spec.js';

/** The live charts: empty until the page feeds them the run's points (x: seconds since the run started). */
const LIVE_CHARTS: ChartSpec[] = [
  live(
    'live-latency',
    'round trip: p50, p99 (the headline, from the write); p50, p99 corrected (from the intended send); send lag p99',
    'round-trip time',
    'ms',
    ['p50', 'p99', 'p50 corrected', 'p99 corrected', 'send lag p99'],
  ),
  live('live-rate', 'messages per second: sent, received', 'messages per second', 'msg/s', ['sent', 'received']),
  live('live-conn', 'connections open; errors so far', 'count', '', ['open', 'errors']),
  live('live-cpu', 'CPU (client, server)', 'CPU', '%', ['client', 'server']),
];

function live(cls: string, title: string, label: string, unit: string, names: string[]): ChartSpec {
  return {
    cls,
    title,
    x: { label: 'time since start', unit: 's' },
    y: { label, unit },
    series: names.map((n, i) => ({ label: n, color: COLORS[i] })),
    data: [[], ...names.map(() => [])],
    height: 220,
  };
}

/**
 * The live dashboard page (`--dashboard`): one self-contained HTML file, no network beyond this
 * process (no CDN, no fonts), like the HTML report. It reads Server-Sent Events from /events: a
 * `state` snapshot on connect, then a `point` each second, a `run` when one starts or ends, and
 * `report`, the final HTML report, which replaces the page when the command is done.
 */

export function dashboardPage(title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} (live)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${CSS}</style>
${chartAssets()}</head>
<body>
<header><h1>${escapeHtml(title)} <small>live</small></h1><div id="status">connecting…</div></header>
<section id="run"><div id="run-title">waiting for the first run</div>
<div class="bar"><div id="bar-fill"></div></div><div id="run-clock"></div></section>
<section id="figures" class="tiles"></section>
<p id="host-floor" class="note"></p>
<section class="charts">
${LIVE_CHARTS.map(chartFigure).join('\n')}
</section>
<section><h2>Runs</h2><table id="runs"><thead><tr><th>#</th><th>run</th><th>target</th><th>clients</th><th>phase</th><th>window p50</th><th>window p99</th><th>verdict so far</th></tr></thead><tbody></tbody></table></section>
<script>${SCRIPT}</script>
</body></html>
`;
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:16px 24px;color:#222;background:#fafafa}
header{display:flex;justify-content:space-between;align-items:baseline}
h1{font-size:20px;margin:0}h1 small{color:#d62728;font-size:13px}h2{font-size:16px}
#status{color:#666}
#run{margin:12px 0;padding:10px;background:#fff;border:1px solid #ddd;border-radius:6px}
#run-title{font-weight:600}
.bar{height:10px;background:#eee;border-radius:5px;margin:6px 0;overflow:hidden}
#bar-fill{height:100%;width:0;background:#1f77b4}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:8px}
.tile{background:#fff;border:1px solid #ddd;border-radius:6px;padding:6px 10px}
.tile b{display:block;font-size:18px}.tile span{color:#666;font-size:12px}
.verdict-valid{color:#2ca02c}.verdict-target-errors,.verdict-client-saturated{color:#d62728}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:12px;margin-top:12px}
figure.chart{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;padding:6px}
figcaption{font-size:12px;color:#444}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
td:nth-child(2),td:nth-child(3),th{text-align:left}
`;

// Plain browser JavaScript, kept small: state in, DOM and chart data out.
const SCRIPT = `
let state={title:'',plannedRuns:null,runs:[]};
const $=(id)=>document.getElementById(id);
const esc=${escapeHtml.toString()};
const ms=(us)=>us==null?'–':(${msFromUs.toString()})(us);
const n=(v)=>v==null?'–':Math.round(v).toLocaleString('en-US');
const clock=(s)=>{s=Math.max(0,Math.round(s));return Math.floor(s/60)+':'+String(s%60).padStart(2,'0');};
function current(){return state.runs[state.runs.length-1];}
function tile(label,value,cls){return '<div class="tile"><span>'+label+'</span><b class="'+(cls||'')+'">'+value+'</b></div>';}
function render(){
  const run=current();
  if(!run){return;}
  const of=state.plannedRuns&&state.plannedRuns>1?' of '+state.plannedRuns:'';
  $('run-title').textContent='run '+run.index+of+': '+run.name+(run.shard?' (shard '+run.shard+')':'')+' → '+run.target+', '+n(run.clients)+' clients';
  $('bar-fill').style.width=(run.totalS>0?Math.min(100,100*run.elapsedS/run.totalS):0)+'%';
  $('run-clock').textContent=run.phase+'  '+clock(run.elapsedS)+' / '+clock(run.totalS)+'  ETA '+clock(run.totalS-run.elapsedS);
  const p=run.points[run.points.length-1]||{};
  $('figures').innerHTML=[
    tile('phase',run.phase),
    tile('verdict so far',run.verdictSoFar,'verdict-'+run.verdictSoFar),
    tile('p50 ms',ms(p.p50Us)),tile('p99 ms',ms(p.p99Us)),
    tile('p50 corrected ms',ms(p.correctedP50Us)),tile('p99 corrected ms',ms(p.correctedP99Us)),
    tile('send lag p99 ms',ms(p.sendLagP99Us)),
    tile('connections',n(p.connected)+' / '+n(run.clients)),
    tile('sent /s',n(p.sentPerSec)),tile('received /s',n(p.receivedPerSec)),
    tile('errors',n(p.errors)),
    tile('client RSS MB',n(p.clientRssKb/1024)),tile('client CPU %',n(p.clientCpuPercent)),
    tile('server RSS MB',p.serverRssKb==null?'–':n(p.serverRssKb/1024)),tile('server CPU %',n(p.serverCpuPercent)),
    tile('elapsed',clock(run.elapsedS)),
  ].join('');
  $('host-floor').textContent=run.hostFloorText||'';
  const pts=run.points;
  plot('live-latency',pts,[(q)=>q.p50Us/1000,(q)=>q.p99Us/1000,(q)=>q.correctedP50Us/1000,(q)=>q.correctedP99Us/1000,(q)=>q.sendLagP99Us/1000]);
  plot('live-rate',pts,[(q)=>q.sentPerSec,(q)=>q.receivedPerSec]);
  plot('live-conn',pts,[(q)=>q.connected,(q)=>q.errors]);
  plot('live-cpu',pts,[(q)=>q.clientCpuPercent,(q)=>q.serverCpuPercent]);
  $('runs').tBodies[0].innerHTML=state.runs.map((r)=>'<tr><td>'+r.index+'</td><td>'+esc(r.name)+'</td><td>'+esc(r.target)+'</td><td>'+n(r.clients)+'</td><td>'+r.phase+'</td><td>'+ms(r.windowP50Us)+'</td><td>'+ms(r.windowP99Us)+'</td><td class="verdict-'+r.verdictSoFar+'">'+r.verdictSoFar+'</td></tr>').join('');
}
// A missing figure (null, or undefined divided by 1000) is a gap in the line, not a zero.
function plot(cls,pts,lines){
  const chart=wsbCharts.of(document.querySelector('figure.'+cls));
  if(!chart)return;
  chart.setData([pts.map((p)=>p.tS),...lines.map((f)=>pts.map((p)=>{const v=f(p);return v==null||Number.isNaN(v)?null:v;}))]);
}
wsbCharts.renderAll();
const es=new EventSource('/events');
es.addEventListener('state',(m)=>{state=JSON.parse(m.data);$('status').textContent='live';render();});
es.addEventListener('run',(m)=>{const r=JSON.parse(m.data);const i=state.runs.findIndex((x)=>x.index===r.index);if(i<0)state.runs.push(r);else state.runs[i]=r;render();});
es.addEventListener('point',(m)=>{const e=JSON.parse(m.data);const r=state.runs.find((x)=>x.index===e.index);if(!r)return;const pts=r.points;Object.assign(r,e.run);r.points=pts;pts.push(e.point);render();});
es.addEventListener('report',(m)=>{es.close();const html=JSON.parse(m.data);document.open();document.write(html);document.close();});
es.onerror=()=>{$('status').textContent='disconnected';};
`;

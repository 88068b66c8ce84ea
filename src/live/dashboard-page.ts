/**
 * The live dashboard page (`--dashboard`): one self-contained HTML file, no network beyond this
 * process (no CDN, no fonts), like the HTML report. It reads Server-Sent Events from /events: a
 * `state` snapshot on connect, then a `point` each second, a `run` when one starts or ends, and
 * `report`, the final HTML report, which replaces the page when the command is done.
 */
import { escapeHtml } from '../report/html.js';
import { msFromUs } from '../core/ms-text.js';

export function dashboardPage(title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} (live)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${CSS}</style></head>
<body>
<header><h1>${escapeHtml(title)} <small>live</small></h1><div id="status">connecting…</div></header>
<section id="run"><div id="run-title">waiting for the first run</div>
<div class="bar"><div id="bar-fill"></div></div><div id="run-clock"></div></section>
<section id="figures" class="tiles"></section>
<p id="host-floor" class="note"></p>
<section class="charts">
<figure><figcaption>round trip (ms): p50, p99 (the headline, from the write); p50, p99 corrected (from the intended send); send lag p99</figcaption><svg id="chart-latency" viewBox="0 0 600 200"></svg></figure>
<figure><figcaption>messages per second: sent, received</figcaption><svg id="chart-rate" viewBox="0 0 600 200"></svg></figure>
<figure><figcaption>connections open; errors so far</figcaption><svg id="chart-conn" viewBox="0 0 600 200"></svg></figure>
<figure><figcaption>CPU % (client, server)</figcaption><svg id="chart-cpu" viewBox="0 0 600 200"></svg></figure>
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
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;padding:6px}
figcaption{font-size:12px;color:#444}
svg{width:100%;height:200px}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
td:nth-child(2),td:nth-child(3),th{text-align:left}
`;

// Plain browser JavaScript, kept small: state in, DOM and SVG out.
const SCRIPT = `
const COLORS=['#1f77b4','#d62728','#17becf','#ff7f0e','#9467bd'];
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
  chart('chart-latency',pts,['p50','p99','p50 corrected','p99 corrected','send lag p99'],[(q)=>q.p50Us/1000,(q)=>q.p99Us/1000,(q)=>q.correctedP50Us==null?null:q.correctedP50Us/1000,(q)=>q.correctedP99Us==null?null:q.correctedP99Us/1000,(q)=>q.sendLagP99Us==null?null:q.sendLagP99Us/1000]);
  chart('chart-rate',pts,['sent','received'],[(q)=>q.sentPerSec,(q)=>q.receivedPerSec]);
  chart('chart-conn',pts,['open','errors'],[(q)=>q.connected,(q)=>q.errors]);
  chart('chart-cpu',pts,['client','server'],[(q)=>q.clientCpuPercent,(q)=>q.serverCpuPercent]);
  $('runs').tBodies[0].innerHTML=state.runs.map((r)=>'<tr><td>'+r.index+'</td><td>'+esc(r.name)+'</td><td>'+esc(r.target)+'</td><td>'+n(r.clients)+'</td><td>'+r.phase+'</td><td>'+ms(r.windowP50Us)+'</td><td>'+ms(r.windowP99Us)+'</td><td class="verdict-'+r.verdictSoFar+'">'+r.verdictSoFar+'</td></tr>').join('');
}
function chart(id,pts,names,lines){
  const W=600,H=200,L=48,B=18;
  const xs=pts.map((p)=>p.tS);const x0=xs.length?xs[0]:0;const x1=Math.max(x0+1,xs.length?xs[xs.length-1]:1);
  let max=0;for(const f of lines)for(const p of pts){const v=f(p);if(v!=null&&v>max)max=v;}
  max=max>0?max*1.1:1;
  const X=(t)=>L+(W-L-6)*(t-x0)/(x1-x0);const Y=(v)=>H-B-(H-B-16)*v/max;
  let svg='<line x1="'+L+'" y1="'+(H-B)+'" x2="'+W+'" y2="'+(H-B)+'" stroke="#999"/>';
  for(let i=0;i<=4;i++){const v=max*i/4;svg+='<text x="'+(L-4)+'" y="'+(Y(v)+4)+'" font-size="10" text-anchor="end">'+(v<10?v.toFixed(2):Math.round(v))+'</text><line x1="'+L+'" x2="'+W+'" y1="'+Y(v)+'" y2="'+Y(v)+'" stroke="#eee"/>';}
  svg+='<text x="'+W+'" y="'+(H-4)+'" font-size="10" text-anchor="end">'+Math.round(x1)+' s</text>';
  lines.forEach((f,k)=>{const d=pts.filter((p)=>f(p)!=null).map((p)=>X(p.tS).toFixed(1)+','+Y(f(p)).toFixed(1)).join(' ');if(d)svg+='<polyline fill="none" stroke-width="1.5" stroke="'+COLORS[k]+'" points="'+d+'"/>';});
  names.forEach((name,k)=>{svg+='<rect x="'+(L+8+k*95)+'" y="2" width="10" height="3" fill="'+COLORS[k]+'"/><text x="'+(L+22+k*95)+'" y="8" font-size="10">'+name+'</text>';});
  $(id).innerHTML=svg;
}
const es=new EventSource('/events');
es.addEventListener('state',(m)=>{state=JSON.parse(m.data);$('status').textContent='live';render();});
es.addEventListener('run',(m)=>{const r=JSON.parse(m.data);const i=state.runs.findIndex((x)=>x.index===r.index);if(i<0)state.runs.push(r);else state.runs[i]=r;render();});
es.addEventListener('point',(m)=>{const e=JSON.parse(m.data);const r=state.runs.find((x)=>x.index===e.index);if(!r)return;const pts=r.points;Object.assign(r,e.run);r.points=pts;pts.push(e.point);render();});
es.addEventListener('report',(m)=>{es.close();const html=JSON.parse(m.data);document.open();document.write(html);document.close();});
es.onerror=()=>{$('status').textContent='disconnected';};
`;

/**
 * Browser side of src/report/chart: turns the JSON chart specs written into a page (see
 * chart-spec.ts) into uPlot charts. Plain JavaScript because it runs in the page, inlined after
 * uPlot itself: the pages stay self-contained and open offline. Every figure[data-wsb-chart] is
 * drawn when the page has loaded (or at `renderAll()`). `window.wsbCharts.of(figure)` is a
 * figure's uPlot chart, for a page that feeds it (the live dashboard calls setData each second);
 * `charts` and `errors` (what went wrong) are there for the headless-browser tests.
 */
(() => {
  const errors = [];
  const charts = [];
  const byFigure = new WeakMap();
  window.addEventListener('error', (e) => errors.push(String(e.message)));

  // Axis ends on the tick above the largest value (5 % headroom), so the largest point is not drawn on the frame.
  const NICE = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
  function niceEnd(v) {
    if (!(v > 0)) return 1;
    const target = v * 1.05;
    const e = 10 ** Math.floor(Math.log10(target));
    for (const m of NICE) if (m * e >= target * (1 - 1e-12)) return Number((m * e).toPrecision(12));
    return 10 * e;
  }

  function numberText(v) {
    if (v === 0) return '0';
    return Math.abs(v) >= 1 ? Number(v.toPrecision(6)).toLocaleString('en-US') : String(Number(v.toPrecision(3)));
  }

  /** A value with its axis's unit, or the axis's own label for a value that is one of its named ticks. */
  function valueText(axis, v) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    return tickText(axis, v);
  }

  function tickText(axis, v) {
    const named = axis.ticks && axis.ticks.find((t) => Math.abs(t.at - v) <= 1e-9 * Math.max(1, Math.abs(v)));
    if (named) return named.label;
    return axis.unit ? `${numberText(v)} ${axis.unit}` : numberText(v);
  }

  /** 1, 2 and 5 × 10^k inside [min, max]: a log axis with more than one label per decade. */
  function logSplits(min, max) {
    const out = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++)
      for (const m of [1, 2, 5]) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
      }
    return out;
  }

  function scale(axis, isY) {
    const range = (_u, dataMin, dataMax) => {
      const lo = axis.range ? axis.range[0] : (dataMin ?? 0);
      const hi = axis.range ? axis.range[1] : (dataMax ?? 1);
      // An x range given by the page is used as is (its ends are the data's own plus any room it wants).
      if (!isY && axis.range) return [lo, hi];
      if (axis.log) {
        const a = Math.max(lo, 1e-9);
        return [10 ** Math.floor(Math.log10(a)), 10 ** Math.max(Math.floor(Math.log10(a)) + 1, Math.ceil(Math.log10(Math.max(hi, a)) - 1e-9))];
      }
      // Time and clients start at 0.
      if (!isY) return [Math.min(0, lo), Math.max(hi, Math.min(0, lo) + 1)];
      return [lo < 0 ? -niceEnd(-lo) : 0, niceEnd(hi)];
    };
    return axis.log ? { time: false, distr: 3, log: 10, range } : { time: false, range };
  }

  // Axis width from its longest label, so "1,200 KB" is not cut off.
  function axisSize(self, values, axisIdx, cycleNum) {
    const axis = self.axes[axisIdx];
    if (cycleNum > 1) return axis._size;
    let size = axis.ticks.size + axis.gap;
    const longest = (values ?? []).reduce((a, v) => (String(v).length > a.length ? String(v) : a), '');
    if (longest) {
      self.ctx.font = axis.font[0];
      size += self.ctx.measureText(longest).width / devicePixelRatio;
    }
    return Math.ceil(size) + 4;
  }

  function axis(spec, isY) {
    const a = {
      label: spec.label,
      stroke: '#333',
      grid: { stroke: '#e8e8e8', width: 1 },
      ticks: { stroke: '#ccc', width: 1, size: 5 },
      // uPlot thins a crowded log axis to null values: those ticks stay unlabelled.
      values: (_u, splits) => splits.map((v) => (v === null ? null : tickText(spec, v))),
    };
    if (!isY) Object.assign(a, { size: 36, labelSize: 20 });
    if (spec.ticks) Object.assign(a, { splits: () => spec.ticks.map((t) => t.at), filter: (_u, splits) => splits });
    else if (spec.log) a.splits = (u, _i, min, max) => logSplits(min, max);
    if (isY) a.size = axisSize;
    return a;
  }

  function series(s, yAxis) {
    const out = { label: s.label, stroke: s.color, width: 2, spanGaps: true, value: (_u, v) => valueText(yAxis, v) };
    if (s.dash) out.dash = [6, 4];
    if (s.bars) {
      out.fill = s.color;
      out.paths = uPlot.paths.bars({ size: [0.9, 60] });
      out.points = { show: false };
    } else out.points = { show: s.points ? true : undefined, size: 7, fill: s.color };
    return out;
  }

  /** Shaded x-ranges (the measured window), under the lines. */
  function drawBands(spec) {
    return (u) => {
      const ctx = u.ctx;
      const px = devicePixelRatio;
      ctx.save();
      for (const b of spec.bands ?? []) {
        const x0 = u.valToPos(b.from, 'x', true);
        const x1 = u.valToPos(b.to, 'x', true);
        ctx.fillStyle = 'rgba(31, 119, 180, 0.07)';
        ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
        ctx.fillStyle = '#777';
        ctx.font = `${11 * px}px system-ui, sans-serif`;
        ctx.textAlign = 'center';
        ctx.fillText(b.label, (x0 + x1) / 2, u.bbox.top + 14 * px);
      }
      ctx.restore();
    };
  }

  /** Labelled vertical lines (the last passing and first failing capacity step), over the lines. */
  function drawMarkers(spec) {
    return (u) => {
      const ctx = u.ctx;
      const px = devicePixelRatio;
      ctx.save();
      for (const m of spec.markers ?? []) {
        const x = u.valToPos(m.at, 'x', true);
        ctx.strokeStyle = m.color;
        ctx.fillStyle = m.color;
        ctx.lineWidth = px;
        ctx.setLineDash([4 * px, 3 * px]);
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.font = `${11 * px}px system-ui, sans-serif`;
        // Right of the line, or left of it in the right half, so the label stays inside the plot.
        const left = x > u.bbox.left + u.bbox.width / 2;
        ctx.textAlign = left ? 'right' : 'left';
        ctx.fillText(m.label, x + (left ? -4 : 4) * px, u.bbox.top + 12 * px);
      }
      ctx.restore();
    };
  }

  // The figure's own width: charts sit in a grid that fills the window.
  function widthOf(holder) {
    return Math.max(200, holder.clientWidth || 600);
  }

  /** A uPlot chart in `figure` from a spec; its data is `spec.data` until the page calls setData. */
  function create(figure, spec) {
    const holder = figure.querySelector('.chart-canvas') ?? figure;
    const opts = {
      width: widthOf(holder),
      height: spec.height ?? 260,
      scales: { x: scale(spec.x, false), y: scale(spec.y, true) },
      axes: [axis(spec.x, false), axis(spec.y, true)],
      series: [{ label: spec.x.label, value: (_u, v) => valueText(spec.x, v) }, ...spec.series.map((s) => series(s, spec.y))],
      legend: { live: true },
      cursor: { points: { size: 7 } },
      hooks: { drawAxes: [drawBands(spec)], draw: [drawMarkers(spec)] },
    };
    const data = spec.data ?? [[], ...spec.series.map(() => [])];
    const chart = new uPlot(opts, data, holder);
    new ResizeObserver(() => {
      const w = widthOf(holder);
      if (w !== chart.width) chart.setSize({ width: w, height: chart.height });
    }).observe(holder);
    charts.push(chart);
    byFigure.set(figure, chart);
    figure.dataset.rendered = 'true';
    return chart;
  }

  function renderAll() {
    for (const figure of document.querySelectorAll('figure[data-wsb-chart]')) {
      if (figure.dataset.rendered) continue;
      try {
        create(figure, JSON.parse(figure.querySelector('script[type="application/json"]').textContent));
      } catch (e) {
        errors.push(`${figure.className}: ${e && e.message}`);
      }
    }
  }

  /** The chart drawn in a figure, for a page that updates it. */
  const of = (figure) => byFigure.get(figure);

  window.wsbCharts = { create, renderAll, of, charts, errors };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', renderAll);
  else renderAll();
})();

// The lab trend plot: one test's results over time, one series per facility, drawn as SVG by
// hand (no library, no canvas) so that it is text to assistive technology and scales with the
// page: axes with ticks and the unit, the reference range as a band, each series a line with
// its own marker shape as well as colour (readable without colour), a legend, <title>/<desc>
// and a title on every point ("2025-04-18 施設名: 6.2 % (H)").
//
//   trendPlot({title, unit, low, high, series: [{key, name, points: [{time: ms, value, text, flag}]}]})
//   → <figure class="trend">

import {s, h, uid} from './dom.js';
import {t, formatDate} from './i18n.js';

const WIDTH = 720;
const HEIGHT = 320;
const MARGIN = {top: 16, right: 20, bottom: 44, left: 64};
const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'cross', 'star'];

// About `count` round steps covering [min, max].
export function niceTicks(min, max, count = 5) {
  if (!(Number.isFinite(min) && Number.isFinite(max))) return [];
  if (min === max) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((st) => raw <= st) || 10 * magnitude;
  const start = Math.floor(min / step) * step;
  const ticks = [];
  for (let v = start; v <= max + step * 0.5; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

// Ticks on a time axis: years, quarters, months or days for the span.
function timeTicks(min, max) {
  const day = 86400000;
  const span = max - min;
  const out = [];
  const d = new Date(min);
  if (span > 3 * 365 * day) {
    for (let y = d.getFullYear(); ; y += 1) {
      const at = new Date(y, 0, 1).getTime();
      if (at > max) break;
      if (at >= min) out.push({at, label: String(y)});
    }
  } else if (span > 60 * day) {
    const stepMonths = span > 365 * day ? 3 : 1;
    for (let m = new Date(d.getFullYear(), d.getMonth(), 1); m.getTime() <= max; m = new Date(m.getFullYear(), m.getMonth() + stepMonths, 1)) {
      if (m.getTime() >= min) out.push({at: m.getTime(), label: `${m.getFullYear()}-${String(m.getMonth() + 1).padStart(2, '0')}`});
    }
  } else {
    const step = Math.max(1, Math.round(span / day / 6));
    for (let at = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime(); at <= max; at += step * day) {
      if (at >= min) out.push({at, label: formatDate(new Date(at).toISOString())});
    }
  }
  return out;
}

function marker(shape, x, y) {
  const r = 5;
  switch (shape) {
    case 'square':
      return s('rect', {x: x - r, y: y - r, width: 2 * r, height: 2 * r});
    case 'triangle':
      return s('polygon', {points: `${x},${y - r - 1} ${x + r + 1},${y + r} ${x - r - 1},${y + r}`});
    case 'diamond':
      return s('polygon', {points: `${x},${y - r - 1} ${x + r + 1},${y} ${x},${y + r + 1} ${x - r - 1},${y}`});
    case 'cross':
      return s('path', {d: `M${x - r},${y - r}L${x + r},${y + r}M${x - r},${y + r}L${x + r},${y - r}`, class: 'stroke-marker'});
    case 'star':
      return s('path', {d: `M${x},${y - r - 1}L${x},${y + r + 1}M${x - r - 1},${y}L${x + r + 1},${y}M${x - r},${y - r}L${x + r},${y + r}M${x - r},${y + r}L${x + r},${y - r}`, class: 'stroke-marker'});
    default:
      return s('circle', {cx: x, cy: y, r});
  }
}

export function trendPlot({title, unit, low = null, high = null, series}) {
  const titleId = uid('trend-title');
  const descId = uid('trend-desc');
  const points = series.flatMap((se) => se.points);
  const values = points.map((p) => p.value).concat([low, high].filter((v) => v !== null));
  const times = points.map((p) => p.time);
  let tMin = Math.min(...times);
  let tMax = Math.max(...times);
  if (tMin === tMax) {
    tMin -= 15 * 86400000;
    tMax += 15 * 86400000;
  }
  const pad = (tMax - tMin) * 0.04;
  tMin -= pad;
  tMax += pad;
  const yTicks = niceTicks(Math.min(...values), Math.max(...values));
  const yMin = yTicks[0];
  const yMax = yTicks[yTicks.length - 1];
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (time) => MARGIN.left + ((time - tMin) / (tMax - tMin)) * plotW;
  const y = (v) => MARGIN.top + plotH - ((v - yMin) / (yMax - yMin || 1)) * plotH;

  const summary = series.map((se) => t('trend.series_summary', {name: se.name, n: se.points.length,
    last: se.points.length ? se.points[se.points.length - 1].text : ''})).join(' ');
  const rangeText = low !== null || high !== null ? t('trend.range', {low: low ?? '', high: high ?? '', unit: unit || ''}) : '';

  const svg = s('svg', {viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}`,
    class: 'trend-svg', focusable: 'false', preserveAspectRatio: 'xMidYMid meet'},
  s('title', {id: titleId}, t('trend.title', {test: title, unit: unit || ''})),
  s('desc', {id: descId}, [rangeText, summary].filter(Boolean).join(' ')));

  // The reference range band, behind everything.
  if (low !== null || high !== null) {
    const top = y(Math.min(high ?? yMax, yMax));
    const bottom = y(Math.max(low ?? yMin, yMin));
    svg.appendChild(s('rect', {class: 'ref-band', x: MARGIN.left, y: top, width: plotW, height: Math.max(0, bottom - top)},
      s('title', {}, rangeText)));
  }
  // Axes, grid and ticks.
  const axes = s('g', {class: 'axes', 'aria-hidden': 'true'});
  for (const v of yTicks) {
    axes.appendChild(s('line', {class: 'grid', x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(v), y2: y(v)}));
    axes.appendChild(s('text', {class: 'tick', x: MARGIN.left - 8, y: y(v) + 4, 'text-anchor': 'end'}, String(v)));
  }
  for (const tick of timeTicks(tMin, tMax)) {
    axes.appendChild(s('line', {class: 'tick-mark', x1: x(tick.at), x2: x(tick.at), y1: MARGIN.top + plotH, y2: MARGIN.top + plotH + 5}));
    axes.appendChild(s('text', {class: 'tick', x: x(tick.at), y: MARGIN.top + plotH + 20, 'text-anchor': 'middle'}, tick.label));
  }
  axes.appendChild(s('line', {class: 'axis', x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: MARGIN.top + plotH}));
  axes.appendChild(s('line', {class: 'axis', x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: MARGIN.top + plotH, y2: MARGIN.top + plotH}));
  axes.appendChild(s('text', {class: 'axis-label', x: 14, y: MARGIN.top + plotH / 2, 'text-anchor': 'middle',
    transform: `rotate(-90 14 ${MARGIN.top + plotH / 2})`}, unit || t('trend.value')));
  axes.appendChild(s('text', {class: 'axis-label', x: MARGIN.left + plotW / 2, y: HEIGHT - 6, 'text-anchor': 'middle'}, t('trend.date')));
  svg.appendChild(axes);

  // One group per series (facility).
  series.forEach((se, i) => {
    const shape = MARKERS[i % MARKERS.length];
    const sorted = [...se.points].sort((a, b) => a.time - b.time);
    const g = s('g', {class: `series series-${i % 8}`, 'data-facility': se.key, 'data-points': sorted.length, role: 'list',
      'aria-label': se.name});
    if (sorted.length > 1) {
      g.appendChild(s('polyline', {class: 'line', points: sorted.map((p) => `${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`).join(' '),
        'aria-hidden': 'true'}));
    }
    for (const p of sorted) {
      const m = marker(shape, x(p.time), y(p.value));
      const label = `${formatDate(new Date(p.time).toISOString())} ${se.name}: ${p.text}${p.flag ? ` (${p.flag})` : ''}`;
      const point = s('g', {class: ['point', p.flag && p.flag !== 'N' ? 'abnormal' : null], role: 'listitem', 'aria-label': label},
        s('title', {}, label), m);
      g.appendChild(point);
    }
    svg.appendChild(g);
  });

  const legend = h('ul', {class: 'legend', 'aria-label': t('trend.legend')},
    series.map((se, i) => h('li', {class: `legend-item series-${i % 8}`},
      s('svg', {viewBox: '0 0 28 14', width: 28, height: 14, 'aria-hidden': 'true', focusable: 'false', class: `series series-${i % 8}`},
        s('line', {class: 'line', x1: 0, x2: 28, y1: 7, y2: 7}), marker(MARKERS[i % MARKERS.length], 14, 7)),
      h('span', {}, `${se.name} (${t('trend.n_points', {n: se.points.length})})`))),
    low !== null || high !== null ? h('li', {class: 'legend-item'}, h('span', {class: 'legend-band', 'aria-hidden': 'true'}), h('span', {}, rangeText)) : null);

  return h('figure', {class: 'trend'}, svg, legend,
    h('figcaption', {}, t('trend.caption', {test: title, n: series.length})));
}

/**
 * Two kinds of chart as plain SVG text, so the benchmark needs no plotting dependency and the
 * files render on GitHub and in any browser: lines over a numeric x axis (with single points
 * allowed) and horizontal bars. Axes start at zero; ticks are 1/2/5 x 10^n.
 */

export interface Series {
  name: string;
  points: [number, number][];
  /** Drawn dashed (the floors). */
  dashed?: boolean;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const W = 720;
const H = 420;
const M = { left: 70, right: 200, top: 40, bottom: 55 };

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (x: number) => (Math.abs(x) >= 1000 ? x.toLocaleString('en-US') : String(+x.toFixed(2)));

/** Round tick step for a range up to `max`, about `count` ticks. */
function step(max: number, count = 5): number {
  const raw = max / count;
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

function frame(title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - M.right / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const all = series.flatMap((s) => s.points);
  const xMax = Math.max(...all.map((p) => p[0]), 1);
  const yMax = Math.max(...all.map((p) => p[1]), 1e-9);
  const [xs, ys] = [step(xMax), step(yMax)];
  const [xTop, yTop] = [Math.ceil(xMax / xs) * xs, Math.ceil(yMax / ys) * ys];
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const X = (x: number) => M.left + (x / xTop) * pw;
  const Y = (y: number) => M.top + ph - (y / yTop) * ph;
  const body: string[] = [];
  for (let y = 0; y <= yTop + 1e-9; y += ys) {
    body.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${Y(y)}" y2="${Y(y)}" stroke="#ddd"/>`);
    body.push(`<text x="${M.left - 6}" y="${Y(y) + 4}" text-anchor="end">${num(y)}</text>`);
  }
  for (let x = 0; x <= xTop + 1e-9; x += xs) {
    body.push(`<line x1="${X(x)}" x2="${X(x)}" y1="${M.top + ph}" y2="${M.top + ph + 5}" stroke="#333"/>`);
    body.push(`<text x="${X(x)}" y="${M.top + ph + 18}" text-anchor="middle">${num(x)}</text>`);
  }
  body.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>`);
  body.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}" stroke="#333"/>`);
  body.push(`<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`);
  body.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    if (pts.length > 1) {
      body.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`,
      );
    }
    for (const [x, y] of pts)
      body.push(
        `<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${s.name}: ${num(x)}, ${num(y)}`)}</title></circle>`,
      );
    const ly = M.top + 10 + i * 20;
    body.push(
      `<line x1="${W - M.right + 15}" x2="${W - M.right + 40}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    body.push(`<text x="${W - M.right + 46}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  return frame(title, body);
}

/** Horizontal bars, one group of `labels.length` bars per item (e.g. floor and ims-ingest). */
export function barChart(
  title: string,
  unit: string,
  labels: string[],
  items: { name: string; values: number[] }[],
): string {
  const rowH = 14 * labels.length + 8;
  const height = M.top + 30 + items.length * rowH + 40;
  const left = 230;
  const pw = W - left - 90;
  const max = Math.max(...items.flatMap((i) => i.values), 1e-9);
  const body: string[] = [];
  items.forEach((item, r) => {
    const y0 = M.top + 20 + r * rowH;
    body.push(`<text x="${left - 6}" y="${y0 + (rowH - 8) / 2 + 4}" text-anchor="end">${esc(item.name)}</text>`);
    item.values.forEach((v, k) => {
      const w = (v / max) * pw;
      body.push(
        `<rect x="${left}" y="${y0 + k * 14}" width="${w.toFixed(1)}" height="12" fill="${COLORS[k % COLORS.length]}"/>`,
      );
      body.push(`<text x="${left + w + 4}" y="${y0 + k * 14 + 10}" font-size="10">${num(v)}${esc(unit)}</text>`);
    });
  });
  labels.forEach((l, k) => {
    const x = left + k * 160;
    body.push(`<rect x="${x}" y="${height - 28}" width="12" height="12" fill="${COLORS[k % COLORS.length]}"/>`);
    body.push(`<text x="${x + 16}" y="${height - 18}">${esc(l)}</text>`);
  });
  return frame(title, body)
    .replace(`height="${H}" viewBox="0 0 ${W} ${H}"`, `height="${height}" viewBox="0 0 ${W} ${height}"`)
    .replace(`<rect width="${W}" height="${H}"`, `<rect width="${W}" height="${height}"`);
}

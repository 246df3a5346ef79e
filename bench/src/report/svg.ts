/**
 * Hand-written SVG charts (grouped bars, lines), enough for the bench's figures and readable in
 * any browser or on GitHub without a charting library or a browser to render them.
 */

const WIDTH = 800;
const HEIGHT = 420;
const MARGIN = { top: 56, right: 24, bottom: 84, left: 72 };
const PALETTE = ['#2f6fdf', '#e8833a', '#3aa676', '#8a5cc2', '#17a2b8', '#7f7f7f'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A "nice" axis maximum and step (1, 2 or 5 × 10^n) covering `max` in about five ticks. */
export function niceAxis(max: number): { max: number; step: number } {
  if (!(max > 0) || !Number.isFinite(max)) return { max: 1, step: 0.2 };
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude) as number;
  return { max: Math.ceil(max / step) * step, step };
}

function formatTick(value: number): string {
  if (value >= 1000) return `${Number((value / 1000).toFixed(1))}k`;
  return String(Number(value.toPrecision(3)));
}

export interface TargetLine {
  value: number;
  label: string;
}

interface Frame {
  title: string;
  subtitle?: string;
  yLabel: string;
  yMax: number;
  targets?: TargetLine[];
}

function frame(spec: Frame, body: (y: (value: number) => number, plot: { x: number; y: number; width: number; height: number }) => string): string {
  const plot = { x: MARGIN.left, y: MARGIN.top, width: WIDTH - MARGIN.left - MARGIN.right, height: HEIGHT - MARGIN.top - MARGIN.bottom };
  const axis = niceAxis(Math.max(spec.yMax, ...(spec.targets ?? []).map((t) => t.value)) * 1.05);
  const y = (value: number) => plot.y + plot.height - (Math.min(Math.max(value, 0), axis.max) / axis.max) * plot.height;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ${FONT} font-size="12">`);
  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  parts.push(`<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="16" font-weight="600">${escapeXml(spec.title)}</text>`);
  if (spec.subtitle) parts.push(`<text x="${WIDTH / 2}" y="40" text-anchor="middle" fill="#555">${escapeXml(spec.subtitle)}</text>`);
  for (let tick = 0; tick <= axis.max + axis.step / 2; tick += axis.step) {
    const ty = y(tick).toFixed(1);
    parts.push(`<line x1="${plot.x}" x2="${plot.x + plot.width}" y1="${ty}" y2="${ty}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${plot.x - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle" fill="#444">${formatTick(tick)}</text>`);
  }
  parts.push(`<text transform="translate(16 ${plot.y + plot.height / 2}) rotate(-90)" text-anchor="middle" fill="#333">${escapeXml(spec.yLabel)}</text>`);
  parts.push(body(y, plot));
  // Target lines across the plot; their labels go in the bottom-right corner, clear of the bars.
  (spec.targets ?? []).forEach((target, i) => {
    const ty = y(target.value).toFixed(1);
    parts.push(`<line x1="${plot.x}" x2="${plot.x + plot.width}" y1="${ty}" y2="${ty}" stroke="#c9453b" stroke-dasharray="6 4" stroke-width="1.5"/>`);
    const ly = HEIGHT - 8 - i * 16;
    parts.push(`<line x1="${WIDTH - MARGIN.right - 24}" x2="${WIDTH - MARGIN.right}" y1="${ly - 4}" y2="${ly - 4}" stroke="#c9453b" stroke-dasharray="6 4" stroke-width="1.5"/>`);
    parts.push(`<text x="${WIDTH - MARGIN.right - 30}" y="${ly}" text-anchor="end" fill="#c9453b">${escapeXml(target.label)}</text>`);
  });
  parts.push(`<line x1="${plot.x}" x2="${plot.x}" y1="${plot.y}" y2="${plot.y + plot.height}" stroke="#333"/>`);
  parts.push(`<line x1="${plot.x}" x2="${plot.x + plot.width}" y1="${plot.y + plot.height}" y2="${plot.y + plot.height}" stroke="#333"/>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function legend(series: string[], top: number): string {
  let x = MARGIN.left;
  return series
    .map((name, i) => {
      const item = `<rect x="${x}" y="${top}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/><text x="${x + 16}" y="${top + 10}" fill="#333">${escapeXml(name)}</text>`;
      x += 28 + name.length * 6.5;
      return item;
    })
    .join('\n');
}

export interface BarGroup {
  label: string;
  /** One value per series, in the order of `series`; NaN leaves a gap (not measured). */
  values: number[];
}

export function groupedBarChart(spec: { title: string; subtitle?: string; yLabel: string; series: string[]; groups: BarGroup[]; targets?: TargetLine[] }): string {
  const finite = spec.groups.flatMap((g) => g.values).filter((v) => Number.isFinite(v));
  const frameSpec: Frame = { title: spec.title, yLabel: spec.yLabel, yMax: finite.length > 0 ? Math.max(...finite) : 1 };
  if (spec.subtitle) frameSpec.subtitle = spec.subtitle;
  if (spec.targets) frameSpec.targets = spec.targets;
  return frame(frameSpec, (y, plot) => {
    const parts: string[] = [];
    const groupWidth = plot.width / Math.max(spec.groups.length, 1);
    const barWidth = Math.min(48, (groupWidth * 0.8) / Math.max(spec.series.length, 1));
    spec.groups.forEach((group, g) => {
      const groupStart = plot.x + g * groupWidth + (groupWidth - barWidth * spec.series.length) / 2;
      group.values.forEach((value, s) => {
        if (!Number.isFinite(value)) return;
        const top = y(value);
        const x = groupStart + s * barWidth;
        parts.push(`<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(plot.y + plot.height - top).toFixed(1)}" fill="${PALETTE[s % PALETTE.length]}"><title>${escapeXml(`${group.label}, ${spec.series[s]}: ${value}`)}</title></rect>`);
        parts.push(`<text x="${(x + barWidth / 2 - 1).toFixed(1)}" y="${(top - 4).toFixed(1)}" text-anchor="middle" font-size="10" fill="#222">${formatTick(value)}</text>`);
      });
      parts.push(`<text x="${(plot.x + g * groupWidth + groupWidth / 2).toFixed(1)}" y="${plot.y + plot.height + 18}" text-anchor="middle" fill="#222">${escapeXml(group.label)}</text>`);
    });
    parts.push(legend(spec.series, HEIGHT - 46));
    return parts.join('\n');
  });
}

export interface Line {
  name: string;
  points: Array<[number, number]>;
}

/** `yCap` clips the y axis (points above it sit on the top edge), so one outlier cannot flatten the rest. */
export function lineChart(spec: { title: string; subtitle?: string; xLabel: string; yLabel: string; lines: Line[]; targets?: TargetLine[]; yCap?: number }): string {
  const xs = spec.lines.flatMap((l) => l.points.map((p) => p[0])).filter(Number.isFinite);
  const ys = spec.lines.flatMap((l) => l.points.map((p) => p[1])).filter(Number.isFinite);
  const xAxis = niceAxis(xs.length > 0 ? Math.max(...xs) : 1);
  const yMax = ys.length > 0 ? Math.max(...ys) : 1;
  const frameSpec: Frame = { title: spec.title, yLabel: spec.yLabel, yMax: spec.yCap === undefined ? yMax : Math.min(yMax, spec.yCap) };
  if (spec.subtitle) frameSpec.subtitle = spec.subtitle;
  if (spec.targets) frameSpec.targets = spec.targets;
  return frame(frameSpec, (y, plot) => {
    const x = (value: number) => plot.x + (value / xAxis.max) * plot.width;
    const parts: string[] = [];
    for (let tick = 0; tick <= xAxis.max + xAxis.step / 2; tick += xAxis.step) {
      parts.push(`<text x="${x(tick).toFixed(1)}" y="${plot.y + plot.height + 16}" text-anchor="middle" fill="#444">${formatTick(tick)}</text>`);
    }
    parts.push(`<text x="${plot.x + plot.width / 2}" y="${plot.y + plot.height + 34}" text-anchor="middle" fill="#333">${escapeXml(spec.xLabel)}</text>`);
    spec.lines.forEach((line, i) => {
      const color = PALETTE[i % PALETTE.length];
      const points = line.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
      if (points.length === 0) return;
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ')}"/>`);
      for (const [px, py] of points) parts.push(`<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="3" fill="${color}"><title>${escapeXml(`${line.name}: ${px} → ${py}`)}</title></circle>`);
    });
    parts.push(legend(spec.lines.map((l) => l.name), HEIGHT - 24));
    return parts.join('\n');
  });
}

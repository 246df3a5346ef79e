import { describe, expect, it } from 'vitest';
import { escapeXml, groupedBarChart, lineChart, niceAxis } from './svg.js';

describe('niceAxis', () => {
  it('rounds the top up to a multiple of a 1-2-5 step', () => {
    expect(niceAxis(4.3)).toEqual({ max: 5, step: 1 });
    expect(niceAxis(23_000)).toEqual({ max: 25_000, step: 5_000 });
    expect(niceAxis(0.42)).toEqual({ max: 0.5, step: 0.1 });
  });

  it('still draws an axis with nothing to show', () => {
    expect(niceAxis(0)).toEqual({ max: 1, step: 0.2 });
    expect(niceAxis(Number.NaN)).toEqual({ max: 1, step: 0.2 });
  });
});

describe('charts', () => {
  it('draws one bar per measured value, leaves gaps for unmeasured ones, and escapes labels', () => {
    const svg = groupedBarChart({
      title: 'p50 & p99 <ms>',
      yLabel: 'ms',
      series: ['p50', 'p99'],
      groups: [
        { label: 'a', values: [1, 2] },
        { label: 'b', values: [3, Number.NaN] },
      ],
      targets: [{ value: 5, label: 'target' }],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect x=/g)?.length).toBe(3 + 2); // three bars, two legend swatches
    expect(svg).toContain('p50 &amp; p99 &lt;ms&gt;');
    expect(svg).toContain('stroke-dasharray');
  });

  it('draws a polyline per series with a point per step', () => {
    const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', lines: [{ name: 'one', points: [[1, 2], [2, 4], [3, Number.NaN]] }] });
    expect(svg.match(/<polyline/g)?.length).toBe(1);
    expect(svg.match(/<circle/g)?.length).toBe(2);
  });

  it('escapes the five XML specials it can meet in labels', () => {
    expect(escapeXml(`<a href="x">&</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });
});

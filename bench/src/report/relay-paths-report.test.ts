import { describe, expect, it } from 'vitest';
import { RELAY_PATHS } from '../config.js';
import { pathRatios } from '../scenarios/relay-paths.js';
import { result } from '../scenarios/relay-paths.test-fixture.js';
import { relayPathsCharts, relayPathsSection, shortLabel } from './relay-paths-report.js';

const { budgetPerTargetMs: _budget, ...options } = RELAY_PATHS;
const results = [
  result('meshcall', 'gateway', { p50: 0.6, p99: 4, high: 7_000, ceiling: 15_000, cpuSeconds: { 'signaling-1': 3, 'signaling-2': 3, redis: 1, gateway: 0.75, 'load-generator': 4 } }),
  result('naive', 'gateway', { p50: 0.3, p99: 2, high: 10_000, ceiling: 30_000, cpuSeconds: { 'naive-relay': 3, 'naive-nginx': 0.75 } }),
];
const relayPaths = { options, results, ratios: pathRatios(results) };

describe('relay paths in the summary and charts', () => {
  it('has a row per system, per-process CPU and the ratio line', () => {
    const text = relayPathsSection(relayPaths).join('\n');
    expect(text).toContain('## Through the gateway and direct (issue 14)');
    expect(text).toContain('signaling-1 40, signaling-2 40, redis 13.3, gateway 10 (load-generator 53.3)');
    expect(text).toMatch(/\| through nginx \| naive relay \| 2× \| 2× \| 0.7× \|/);
    expect(text).not.toContain('What an acknowledgement of every signal costs');
  });

  it('says what acknowledging every signal costs when the plan measured it', () => {
    const acknowledged = { ...result('meshcall', 'gateway', { p50: 0.9, p99: 6, high: 7_000, ceiling: 12_000, cpuSeconds: { 'signaling-1': 4, gateway: 1 } }), acknowledged: true as const };
    const withAck = [...results, acknowledged];
    const text = relayPathsSection({ options, results: withAck, ratios: pathRatios(withAck) }).join('\n');
    expect(text).toContain('acknowledged ÷ fire and forget, p50 1.5×, p99 1.5× at 1,000/s');
    expect(text).toMatch(/\| through nginx \| naive relay \| 2× \| 2× \| 0.7× \|/);
    expect(relayPathsCharts({ options, results: withAck, ratios: [] }, '2 cores')[0]?.[1]).toContain('meshcall acked via nginx');
  });

  it('says nothing when the phase did not run', () => {
    expect(relayPathsSection(undefined)).toEqual([]);
    expect(relayPathsCharts(undefined, 'm')).toEqual([]);
  });

  it('draws three charts with short group labels', () => {
    const charts = relayPathsCharts(relayPaths, '2 cores');
    expect(charts.map(([name]) => name)).toEqual(['relay-paths-cpu.svg', 'relay-paths-latency.svg', 'relay-paths-throughput.svg']);
    expect(charts[0]?.[1]).toContain('meshcall via nginx');
    expect(shortLabel({ system: 'peerjs', path: 'direct' })).toBe('PeerJS direct');
  });
});

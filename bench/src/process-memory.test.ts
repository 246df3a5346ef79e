import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { MACHINE_TOTAL, cpuMeter, parseMachineCpuTicks, parsePrometheusValue, parseStatCpuTicks, parseStatParentPid, parseStatusRss, processTree, readCpuSeconds, readRssBytes, sumPrometheusSamples } from './process-memory.js';

describe('parseStatusRss', () => {
  it('reads VmRSS in bytes', () => {
    const status = 'Name:\tnode\nVmPeak:\t  999 kB\nVmRSS:\t   51234 kB\nRssAnon:\t 40000 kB\n';
    expect(parseStatusRss(status)).toBe(51_234 * 1024);
  });

  it('refuses a status without VmRSS (a kernel thread, or not a status file)', () => {
    expect(() => parseStatusRss('Name:\tkthreadd\n')).toThrow(/VmRSS/);
  });
});

describe('sumPrometheusSamples', () => {
  it('adds the samples with the label, whatever other labels they carry, and nothing else', () => {
    const text = [
      'signaling_relay_latency_seconds_count{path="same-replica",service="signaling"} 120',
      'signaling_relay_latency_seconds_count{service="signaling",path="cross-replica"} 7',
      'signaling_relay_latency_seconds_bucket{le="0.001",path="same-replica",service="signaling"} 100',
      'signaling_relay_latency_seconds_count{path="same-replica",service="other"} 3',
    ].join('\n');
    const count = (value: string) => sumPrometheusSamples(text, 'signaling_relay_latency_seconds_count', { name: 'path', value });
    expect(count('same-replica')).toBe(123);
    expect(count('cross-replica')).toBe(7);
    expect(count('nowhere')).toBe(0);
  });
});

describe('parsePrometheusValue', () => {
  const text = [
    '# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.',
    '# TYPE nodejs_heap_size_used_bytes gauge',
    'nodejs_heap_size_used_bytes_total_bogus 1',
    'nodejs_heap_size_used_bytes{service="signaling"} 12345678',
    'process_resident_memory_bytes 999',
  ].join('\n');

  it('reads a labelled or unlabelled sample, not a metric whose name merely starts the same', () => {
    expect(parsePrometheusValue(text, 'nodejs_heap_size_used_bytes')).toBe(12_345_678);
    expect(parsePrometheusValue(text, 'process_resident_memory_bytes')).toBe(999);
  });

  it('is undefined for a metric that is not there', () => {
    expect(parsePrometheusValue(text, 'nodejs_heap_size_total_bytes')).toBeUndefined();
  });
});

describe('parseStatCpuTicks', () => {
  it('adds utime and stime even when the command name holds spaces and parentheses', () => {
    const stat = '4242 (node (bench) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 123 0 0';
    expect(parseStatCpuTicks(stat)).toBe(300);
  });
});

describe('parseStatParentPid', () => {
  it('reads the parent pid after a command name with spaces and parentheses', () => {
    const stat = '4243 (nginx: worker (x)) S 4242 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 123 0 0';
    expect(parseStatParentPid(stat)).toBe(4242);
  });
});

describe('processTree and cpuMeter', () => {
  it('finds a child process below this one and counts its CPU with the parent', { timeout: 10_000 }, async () => {
    // A busy child, as nginx's worker is below its master.
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 5000; while (Date.now() < end);'], { stdio: 'ignore' });
    try {
      expect(processTree(process.pid)).toContain(child.pid);
      const meter = cpuMeter([{ name: 'tree', pid: process.pid, withChildren: true }, { name: 'alone', pid: process.pid }]);
      // Polled rather than slept: on a busy machine the child may wait for a core.
      let reading = meter.read();
      for (let waited = 0; waited < 4_000 && (reading.seconds.tree ?? 0) - (reading.seconds.alone ?? 0) < 0.05; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        reading = meter.read();
      }
      expect(reading.elapsedS).toBeGreaterThan(0);
      expect(reading.seconds.tree).toBeGreaterThanOrEqual((reading.seconds.alone ?? 0) + 0.05);
      expect(reading.seconds[MACHINE_TOTAL]).toBeGreaterThan(0);
      expect(reading.cores.tree).toBeCloseTo((reading.seconds.tree ?? 0) / reading.elapsedS, 1);
    } finally {
      child.kill();
    }
  });
});

describe('parseMachineCpuTicks', () => {
  it('counts everything but idle and iowait as busy', () => {
    const stat = 'cpu  100 5 50 800 20 3 2 10 0 0\ncpu0 50 2 25 400 10 1 1 5 0 0\n';
    expect(parseMachineCpuTicks(stat)).toEqual({ busy: 170, total: 990 });
  });
});

describe('this process, read from /proc', () => {
  it('has a resident size and a growing CPU time', () => {
    expect(readRssBytes(process.pid)).toBeGreaterThan(1024 * 1024);
    const before = readCpuSeconds(process.pid);
    let spin = 0;
    for (let i = 0; i < 5_000_000; i++) spin += i % 7;
    expect(spin).toBeGreaterThan(0);
    expect(readCpuSeconds(process.pid)).toBeGreaterThanOrEqual(before);
  });
});

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of (text ?? '').matchAll(LABEL)) labels[match[1] as string] = (match[2] as string).replace(/\\(.)/g, '$1');
  return labels;
}

/**
 * The sum of every sample of `metric` whose labels include `labels`, read from Prometheus text
 * exposition (what the services' /metrics serve); undefined when there is no such sample at all.
 */
export function sampleSum(text: string, metric: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line.trim());
    if (!match || match[1] !== metric) continue;
    const sampleLabels = parseLabels(match[2]);
    if (!Object.entries(labels).every(([name, value]) => sampleLabels[name] === value)) continue;
    sum = (sum ?? 0) + Number(match[3]);
  }
  return sum;
}

import type { InspectorSession } from './inspector-session.js';

/** The parts of V8's .heapsnapshot format this reads (nodes as a flat array of `node_fields`). */
export interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Object count and bytes (self size) per kind of object: its type and, for objects and closures, its constructor or function name. */
export type HeapByKind = Map<string, { count: number; bytes: number }>;

/** Takes a snapshot over the inspector; the snapshot itself runs a full garbage collection first. */
export async function takeHeapSnapshot(session: InspectorSession): Promise<HeapSnapshot> {
  const chunks: string[] = [];
  session.onEvent('HeapProfiler.addHeapSnapshotChunk', (params) => chunks.push(params.chunk as string));
  await session.call('HeapProfiler.enable');
  await session.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  return JSON.parse(chunks.join('')) as HeapSnapshot;
}

/** Strings and numbers are named by their value, which says nothing about who keeps them. */
const UNNAMED_TYPES = new Set(['string', 'concatenated string', 'sliced string', 'number']);

export function heapByKind(snapshot: HeapSnapshot): HeapByKind {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field)) as [number, number, number];
  const byKind: HeapByKind = new Map();
  for (let node = 0; node < snapshot.nodes.length; node += fields.length) {
    const type = types[snapshot.nodes[node + typeAt] as number] ?? 'unknown';
    const name = UNNAMED_TYPES.has(type) ? '' : (snapshot.strings[snapshot.nodes[node + nameAt] as number] ?? '').slice(0, 80);
    const kind = name ? `${type} ${name}` : type;
    const entry = byKind.get(kind) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += snapshot.nodes[node + sizeAt] as number;
    byKind.set(kind, entry);
  }
  return byKind;
}

export interface GrowthRow {
  kind: string;
  objectsPerConnection: number;
  bytesPerConnection: number;
}

/** What each of `connections` added, per kind, largest first; kinds that changed by less than `minBytes` per connection are counted in the total only. */
export function growthPerConnection(before: HeapByKind, after: HeapByKind, connections: number, minBytes: number): { totalBytesPerConnection: number; rows: GrowthRow[] } {
  let total = 0;
  const rows: GrowthRow[] = [];
  for (const kind of new Set([...before.keys(), ...after.keys()])) {
    const then = before.get(kind) ?? { count: 0, bytes: 0 };
    const now = after.get(kind) ?? { count: 0, bytes: 0 };
    const bytes = (now.bytes - then.bytes) / connections;
    total += bytes;
    if (Math.abs(bytes) >= minBytes) rows.push({ kind, objectsPerConnection: (now.count - then.count) / connections, bytesPerConnection: bytes });
  }
  rows.sort((a, b) => b.bytesPerConnection - a.bytesPerConnection);
  return { totalBytesPerConnection: total, rows };
}

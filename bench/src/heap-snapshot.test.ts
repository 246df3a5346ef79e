import { describe, expect, it } from 'vitest';
import { growthPerConnection, heapByKind, type HeapSnapshot } from './heap-snapshot.js';

/** A snapshot of the given nodes (type index, name, self size), in V8's flat layout. */
function snapshotOf(nodes: Array<[type: number, name: string, size: number]>): HeapSnapshot {
  const strings: string[] = [];
  const flat: number[] = [];
  for (const [type, name, size] of nodes) {
    strings.push(name);
    flat.push(type, strings.length - 1, 0, size, 0);
  }
  return {
    snapshot: { meta: { node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'], node_types: [['hidden', 'object', 'closure', 'string']] } },
    nodes: flat,
    strings,
  };
}

describe('heap snapshot per connection', () => {
  it('counts objects by constructor and strings together, whatever their text', () => {
    const byKind = heapByKind(snapshotOf([[1, 'Socket', 160], [1, 'Socket', 160], [3, 'token-a', 40], [3, 'token-b', 48], [2, 'onclose', 56]]));
    expect(byKind.get('object Socket')).toEqual({ count: 2, bytes: 320 });
    expect(byKind.get('string')).toEqual({ count: 2, bytes: 88 });
    expect(byKind.get('closure onclose')).toEqual({ count: 1, bytes: 56 });
  });

  it('divides the growth among the connections added, largest first, and keeps small kinds in the total', () => {
    const before = heapByKind(snapshotOf([[1, 'Server', 1000], [1, 'Gone', 100]]));
    const after = heapByKind(snapshotOf([[1, 'Server', 1000], ...Array.from({ length: 4 }, (): [number, string, number] => [1, 'Socket', 160]), ...Array.from({ length: 4 }, (): [number, string, number] => [2, 'timer', 8])]));
    const growth = growthPerConnection(before, after, 2, 20);
    expect(growth.rows).toEqual([
      { kind: 'object Socket', objectsPerConnection: 2, bytesPerConnection: 320 },
      { kind: 'object Gone', objectsPerConnection: -0.5, bytesPerConnection: -50 },
    ]);
    // 320 (sockets) + 16 (timers, under the row threshold) − 50 (what was collected).
    expect(growth.totalBytesPerConnection).toBe(286);
  });
});

import { BlockList } from 'node:net';

/**
 * The blocks a test may send traffic to besides loopback (the project's traffic rule): the
 * documentation nets and the benchmarking block. The tier's engine takes its networks from
 * 198.19.0.0/16 (scripts/docker/lib.sh), so compose's networks must land in here.
 */
const TEST_BLOCKS: ReadonlyArray<readonly [string, number]> = [
  ['192.0.2.0', 24],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['198.18.0.0', 15],
];

const allowed = new BlockList();
for (const [address, prefix] of TEST_BLOCKS) allowed.addSubnet(address, prefix, 'ipv4');

/** Whether every address of the IPv4 `cidr` lies inside one of the blocks tests may use. */
export function isTestSubnet(cidr: string): boolean {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return false;
  const [, address = '', prefixText = ''] = match;
  const prefix = Number(prefixText);
  // The blocks do not touch, so a subnet whose first and last addresses are allowed is inside one.
  return prefix <= 32 && allowed.check(address, 'ipv4') && allowed.check(lastAddress(address, prefix), 'ipv4');
}

function lastAddress(address: string, prefix: number): string {
  const value = address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const last = value + 2 ** (32 - prefix) - 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(last / 2 ** shift) % 256).join('.');
}

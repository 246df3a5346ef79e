import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PEER_OVERLAY } from './public-stack.js';
import { homeAddresses, PUBLIC_ADDRESS, routerRuleset } from './topology.js';

/** The workplace's rule: only documentation and benchmarking ranges inside the namespaces. */
function inAllowedRanges(address: string): boolean {
  const [a, b, c] = address.split('.').map(Number);
  return (a === 192 && b === 0 && c === 2) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113) || (a === 198 && (b === 18 || b === 19));
}

describe('addresses', () => {
  it('come only from the documentation and benchmarking ranges, and differ between homes', () => {
    const all = [PUBLIC_ADDRESS, ...([1, 2] as const).flatMap((i) => Object.values(homeAddresses(i)).map((a) => a.replace(/\/\d+$/, '')))];
    for (const address of all) expect(inAllowedRanges(address), address).toBe(true);
    expect(new Set(all).size).toBe(all.length);
  });

  it('are exactly what the coturn peer overlay allows: coturn itself, the routers and the clients', () => {
    const allowed = readFileSync(PEER_OVERLAY, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('allowed-peer-ip='))
      .map((line) => line.slice('allowed-peer-ip='.length));
    const expected = [PUBLIC_ADDRESS, homeAddresses(1).wan, homeAddresses(2).wan, homeAddresses(1).client, homeAddresses(2).client];
    expect(allowed.sort()).toEqual(expected.sort());
    // Single addresses, never ranges: a range starting at an all-zero address means "any" to coturn 4.6.
    for (const entry of allowed) expect(entry).not.toContain('-');
  });
});

describe('routerRuleset', () => {
  it('masquerades with a random port per flow behind a symmetric NAT', () => {
    const rules = routerRuleset({ nat: 'symmetric', egress: 'open' });
    expect(rules).toMatch(/oifname "wan" masquerade fully-random/);
    expect(rules).toMatch(/policy drop;\n\s+ct state established,related accept/);
    expect(rules).not.toMatch(/iifname "wan" oifname "lan" accept/);
  });

  it('routes an open home without NAT and lets the internet reach it', () => {
    const rules = routerRuleset({ nat: 'none', egress: 'open' });
    expect(rules).not.toMatch(/masquerade/);
    expect(rules).toMatch(/iifname "wan" oifname "lan" accept/);
  });

  it('drops UDP before anything else is let out when UDP is blocked', () => {
    const rules = routerRuleset({ nat: 'symmetric', egress: 'no-udp' });
    expect(rules.indexOf('meta l4proto udp drop')).toBeGreaterThan(-1);
    expect(rules.indexOf('meta l4proto udp drop')).toBeLessThan(rules.indexOf('iifname "lan" oifname "wan" accept'));
  });

  it('lets only TCP 443 out when only TCP 443 is open', () => {
    const rules = routerRuleset({ nat: 'symmetric', egress: 'tcp-443-only' });
    expect(rules).toMatch(/iifname "lan" oifname "wan" tcp dport 443 accept/);
    expect(rules).not.toMatch(/iifname "lan" oifname "wan" accept/);
  });

  it('never lets anything reach the router itself unsolicited', () => {
    for (const egress of ['open', 'no-udp', 'tcp-443-only'] as const) {
      expect(routerRuleset({ nat: 'symmetric', egress })).toMatch(/hook input priority filter; policy drop;\n\s+ct state established,related accept\n\s+}/);
    }
  });
});

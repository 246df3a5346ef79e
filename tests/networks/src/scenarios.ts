import type { HomeProfile } from './topology.js';

/** One restrictive network set-up: the two homes a call crosses, and what must come of it. */
export interface NetworkScenario {
  name: string;
  homes: [HomeProfile, HomeProfile];
  /** What each side's badge must end up saying about the link to the other. */
  expectPath: [RegExp, RegExp];
  /** The relay protocol of each side's own leg to coturn, when that side must relay. */
  expectRelayProtocol: [string | null, string | null];
}

/** The four scenarios of issue 16, run by the network tier and timed by the bench. */
export const NETWORK_SCENARIOS: NetworkScenario[] = [
  {
    // Two symmetric NATs: each maps every destination to a fresh random port, so neither side's
    // reflexive address is any use to the other and no direct pair can succeed.
    name: '1. both behind symmetric NAT: relayed by coturn over UDP',
    homes: [
      { nat: 'symmetric', egress: 'open' },
      { nat: 'symmetric', egress: 'open' },
    ],
    expectPath: [/^Relayed: no direct path$/, /^Relayed: no direct path$/],
    // Each side relays over UDP or reaches the other's relay from its reflexive address; either
    // way UDP, never TCP or TLS, since UDP is open.
    expectRelayProtocol: [null, null],
  },
  {
    name: '2. UDP blocked on one side: relayed over TURN/TCP',
    homes: [
      { nat: 'symmetric', egress: 'no-udp' },
      { nat: 'symmetric', egress: 'open' },
    ],
    expectPath: [/^Relayed: UDP blocked$/, /^Relayed/],
    expectRelayProtocol: ['tcp', null],
  },
  {
    name: '3. only TCP 443 open on both sides: relayed over TURN/TLS on 443',
    homes: [
      { nat: 'symmetric', egress: 'tcp-443-only' },
      { nat: 'symmetric', egress: 'tcp-443-only' },
    ],
    expectPath: [/^Relayed over TLS :443$/, /^Relayed over TLS :443$/],
    expectRelayProtocol: ['tls', 'tls'],
  },
  {
    // The open side has a public address and accepts incoming flows: the NATed side's checks
    // reach it, and its answers go back through the NAT's own mapping. Direct, no relay.
    name: '4. one side open, one behind symmetric NAT: direct',
    homes: [
      { nat: 'none', egress: 'open' },
      { nat: 'symmetric', egress: 'open' },
    ],
    expectPath: [/^Direct$/, /^Direct$/],
    expectRelayProtocol: [null, null],
  },
];

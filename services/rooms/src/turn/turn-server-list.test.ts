import { describe, expect, it } from 'vitest';
import { parseTurnServers, TurnServerListError } from './turn-server-list.js';

describe('parseTurnServers', () => {
  it('reads host, port, TLS port and probe address, with the defaults for what an entry leaves out', () => {
    expect(parseTurnServers('turn-a.example.org, 203.0.113.7:3479/5350, [2001:db8::5]:3480@coturn-3:3478')).toEqual([
      { id: 'turn-a.example.org:3478', host: 'turn-a.example.org', port: 3478, tlsPort: 5349, probe: { host: 'turn-a.example.org', port: 3478 } },
      { id: '203.0.113.7:3479', host: '203.0.113.7', port: 3479, tlsPort: 5350, probe: { host: '203.0.113.7', port: 3479 } },
      { id: '[2001:db8::5]:3480', host: '2001:db8::5', port: 3480, tlsPort: 5349, probe: { host: 'coturn-3', port: 3478 } },
    ]);
  });

  it('takes a probe address without a port as port 3478', () => {
    expect(parseTurnServers('198.51.100.1:3479/443@10.0.0.2')[0]?.probe).toEqual({ host: '10.0.0.2', port: 3478 });
  });

  it.each([
    ['', /empty/],
    ['a.example,,b.example', /empty/],
    ['a.example,', /empty/],
    ['a.example:0', /port '0' is not a port/],
    ['a.example:70000', /port '70000' is not a port/],
    ['a.example:34x', /port '34x' is not a port/],
    ['a.example/99999', /TLS port '99999'/],
    ['a.example/1/2', /at most one '\/tls-port'/],
    ['a.example@b@c', /at most one '@probe/],
    ['2001:db8::1', /expected host\[:port\]|not a host name/],
    ['[not-v6]:3478', /not an IPv6 address/],
    ['bad_host!:3478', /not a host name/],
    ['a.example:3478\nstatic-auth-secret=x', /no spaces/],
    ['a.example:3478, a.example', /listed twice/],
  ])('refuses %j', (text, message) => {
    expect(() => parseTurnServers(text)).toThrow(TurnServerListError);
    expect(() => parseTurnServers(text)).toThrow(message);
  });

  it('refuses more servers than it would sensibly probe', () => {
    const many = Array.from({ length: 33 }, (_, index) => `turn-${index}.example`).join(',');
    expect(() => parseTurnServers(many)).toThrow(/at most 32/);
  });
});

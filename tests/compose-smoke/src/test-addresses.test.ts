import { describe, expect, it } from 'vitest';
import { isTestSubnet } from './test-addresses.js';

describe('isTestSubnet', () => {
  it('accepts the networks the tier engine hands out, and the documentation nets', () => {
    expect(isTestSubnet('198.19.0.0/24')).toBe(true);
    expect(isTestSubnet('198.19.255.0/24')).toBe(true);
    expect(isTestSubnet('198.18.0.0/15')).toBe(true);
    expect(isTestSubnet('203.0.113.64/26')).toBe(true);
  });

  it("refuses Docker's default pools and anything that spills out of a block", () => {
    expect(isTestSubnet('172.17.0.0/16')).toBe(false);
    expect(isTestSubnet('192.168.0.0/20')).toBe(false);
    expect(isTestSubnet('10.0.0.0/8')).toBe(false);
    expect(isTestSubnet('198.18.0.0/14')).toBe(false);
    expect(isTestSubnet('203.0.112.0/23')).toBe(false);
  });

  it('refuses what is not an IPv4 CIDR', () => {
    expect(isTestSubnet('198.19.0.0')).toBe(false);
    expect(isTestSubnet('fd00::/64')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { checkGuestName } from './guest-name.js';

describe('checkGuestName', () => {
  it('takes a name as auth will, trimmed', () => {
    expect(checkGuestName('  Gwen  ')).toEqual({ ok: true, name: 'Gwen' });
    expect(checkGuestName('x'.repeat(60))).toEqual({ ok: true, name: 'x'.repeat(60) });
  });

  it('says what is wrong with an empty or too long name', () => {
    expect(checkGuestName('   ')).toEqual({ ok: false, error: 'Enter the name others will see.' });
    expect(checkGuestName('x'.repeat(61))).toEqual({ ok: false, error: 'Use at most 60 characters.' });
  });
});

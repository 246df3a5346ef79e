import { describe, expect, it } from 'vitest';
import { checkCallName } from './call-name.js';

describe('checkCallName', () => {
  it('sends nothing when the account name is left as it is (spaces around it included)', () => {
    expect(checkCallName('Ada Lovelace', 'Ada Lovelace')).toEqual({ ok: true, name: undefined });
    expect(checkCallName('  Ada Lovelace ', 'Ada Lovelace')).toEqual({ ok: true, name: undefined });
  });

  it('sends another name trimmed', () => {
    expect(checkCallName('  Ada (work) ', 'Ada Lovelace')).toEqual({ ok: true, name: 'Ada (work)' });
    expect(checkCallName('x'.repeat(60), 'Ada')).toEqual({ ok: true, name: 'x'.repeat(60) });
  });

  it('says in a sentence why a name is refused', () => {
    expect(checkCallName('   ', 'Ada')).toEqual({ ok: false, problem: 'Your name must not be empty.' });
    expect(checkCallName('x'.repeat(61), 'Ada')).toEqual({ ok: false, problem: 'Your name must be at most 60 characters.' });
    expect(checkCallName('Ada\tLovelace', 'Ada')).toEqual({ ok: false, problem: 'Your name must not contain control characters.' });
    expect(checkCallName('Ada\u0085', 'Ada')).toEqual({ ok: false, problem: 'Your name must not contain control characters.' });
  });
});

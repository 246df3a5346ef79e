import { describe, expect, it } from 'vitest';
import { AppError, ErrorCode } from '@meshcall/shared';
import { assertAcceptablePassword, isCommonPassword } from './password-policy.js';

const ada = { email: 'ada@example.com', name: 'Ada Lovelace' };

function refusal(password: string, context = ada): string | null {
  try {
    assertAcceptablePassword(password, context);
    return null;
  } catch (error) {
    if (error instanceof AppError && error.code === ErrorCode.WEAK_PASSWORD) return error.details?.[0]?.message ?? '';
    throw error;
  }
}

describe('the common-password list', () => {
  it('holds the passwords attackers try first, in any case', () => {
    for (const password of ['password', '12345678', 'qwertyuiop', 'iloveyou', 'Password', 'PASSWORD', 'baseball']) {
      expect(isCommonPassword(password), password).toBe(true);
    }
  });

  it('does not hold ordinary passphrases', () => {
    for (const password of ['correct horse battery', 'lighthouse keeper at dawn', 'Zq7!mW2#pL9x']) {
      expect(isCommonPassword(password), password).toBe(false);
    }
  });
});

describe('assertAcceptablePassword', () => {
  it('refuses common passwords, only spaces, the email and the name, saying which', () => {
    expect(refusal('password')).toMatch(/most common passwords/);
    expect(refusal(' '.repeat(8))).toBe('must not be only spaces');
    expect(refusal('ADA@EXAMPLE.COM')).toBe('must not be your email address');
    expect(refusal('ada lovelace')).toBe('must not be your name');
  });

  it('accepts a password that breaks no rule', () => {
    expect(refusal('correct horse battery')).toBeNull();
  });
});

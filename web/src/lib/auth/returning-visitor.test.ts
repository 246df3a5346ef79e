import { describe, expect, it } from 'vitest';
import { hasSignedInBefore, rememberSignedIn, signInGreeting } from './returning-visitor.js';

function memoryStorage() {
  const data = new Map<string, string>();
  return { getItem: (key: string) => data.get(key) ?? null, setItem: (key: string, value: string) => void data.set(key, value) };
}

describe('the sign-in greeting', () => {
  it('greets a first visit neutrally and welcomes back only a browser that has signed in', () => {
    const storage = memoryStorage();
    expect(hasSignedInBefore(storage)).toBe(false);
    expect(signInGreeting(hasSignedInBefore(storage))).not.toMatch(/welcome back/i);
    rememberSignedIn(storage);
    expect(signInGreeting(hasSignedInBefore(storage))).toMatch(/^Welcome back/);
  });

  it('treats missing or refusing storage as a first visit', () => {
    expect(hasSignedInBefore(undefined)).toBe(false);
    const refusing = {
      getItem: (): string | null => {
        throw new Error('SecurityError');
      },
      setItem: (): void => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(() => rememberSignedIn(refusing)).not.toThrow();
    expect(hasSignedInBefore(refusing)).toBe(false);
  });
});

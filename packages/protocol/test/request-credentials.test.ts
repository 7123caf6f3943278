import { describe, expect, it } from 'vitest';
import { extractToken, headerFromRaw, originFromHeaders } from '../src/request-credentials.js';

describe('extractToken (SPEC rule 10)', () => {
  it('takes the Bearer header or the one query value', () => {
    expect(extractToken('Bearer abc', [])).toEqual({ ok: true, token: 'abc' });
    expect(extractToken('bearer   abc  ', [])).toEqual({ ok: true, token: 'abc' });
    expect(extractToken(undefined, ['abc'])).toEqual({ ok: true, token: 'abc' });
    expect(extractToken(undefined, [])).toEqual({ ok: true, token: undefined });
    expect(extractToken('', [''])).toEqual({ ok: true, token: undefined });
  });

  it('ignores another scheme and refuses ambiguity rather than guessing', () => {
    expect(extractToken('Basic dXNlcjpwdw==', ['abc'])).toEqual({ ok: true, token: 'abc' });
    expect(extractToken(['Bearer a', 'Bearer a'], [])).toEqual({ ok: false });
    expect(extractToken(undefined, ['a', 'b'])).toEqual({ ok: false });
    expect(extractToken('Bearer a', ['a'])).toEqual({ ok: false });
    expect(extractToken('Bearer a b', [])).toEqual({ ok: false });
    expect(extractToken(`Bearer ${'x'.repeat(9000)}`, [])).toEqual({ ok: false });
  });
});

describe('headerFromRaw', () => {
  it('finds a header case-insensitively, as an array when it came more than once', () => {
    const raw = ['Host', 'x', 'AUTHORIZATION', 'Bearer a', 'Accept', '*/*', 'authorization', 'Bearer b'];
    expect(headerFromRaw(raw, 'authorization')).toEqual(['Bearer a', 'Bearer b']);
    expect(headerFromRaw(raw, 'accept')).toBe('*/*');
    expect(headerFromRaw(raw, 'origin')).toBeUndefined();
  });
});

describe('originFromHeaders (SPEC rule 9)', () => {
  it('takes Origin, else the Referer origin; a repeated header gives no origin', () => {
    expect(originFromHeaders('https://Shop.Example.com:443', undefined)).toBe('https://shop.example.com');
    expect(originFromHeaders(undefined, 'https://shop.example.com/p/1?q=2')).toBe('https://shop.example.com');
    expect(originFromHeaders('null', 'https://shop.example.com/')).toBeNull();
    expect(originFromHeaders(['https://a.example', 'https://b.example'], undefined)).toBeNull();
    expect(originFromHeaders(undefined, ['https://a.example/', 'https://a.example/'])).toBeNull();
    expect(originFromHeaders(undefined, undefined)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import {
  ACTION_OF,
  HYGIENE_ACTIONS,
  HYGIENE_REASONS,
  httpsOrigins,
  hygieneFindings,
  type HygieneSubject,
} from '../../src/domain/token-hygiene.js';

const NOW = '2026-06-01T00:00:00.000Z';
const policy = { unusedDays: 90, rotateDays: 365 };
const daysBefore = (days: number) => new Date(Date.parse(NOW) - days * 86_400_000).toISOString();
const fine: HygieneSubject = {
  type: 'private',
  createdAt: daysBefore(10),
  lastUsedAt: daysBefore(1),
  rotatedAt: null,
  expiresAt: '2027-01-01T00:00:00.000Z',
  ownerUserId: null,
  ownerDisabled: false,
  domains: [],
};

describe('hygieneFindings', () => {
  it('finds nothing in a used, expiring, recent private token of a live service account', () => {
    expect(hygieneFindings(fine, NOW, policy)).toEqual([]);
  });

  it('judges use by the window: exactly at the boundary counts as stale', () => {
    expect(hygieneFindings({ ...fine, lastUsedAt: daysBefore(89) }, NOW, policy)).toEqual([]);
    expect(hygieneFindings({ ...fine, lastUsedAt: daysBefore(90) }, NOW, policy)).toEqual(['unused']);
    expect(hygieneFindings({ ...fine, lastUsedAt: null }, NOW, policy)).toEqual([]);
    expect(hygieneFindings({ ...fine, lastUsedAt: null, createdAt: daysBefore(91) }, NOW, policy)).toEqual([
      'never_used',
    ]);
  });

  it('an old private value is judged from its last rotation; a public one never', () => {
    const old = { ...fine, createdAt: daysBefore(400) };
    expect(hygieneFindings(old, NOW, policy)).toEqual(['old_secret']);
    expect(hygieneFindings({ ...old, rotatedAt: daysBefore(30) }, NOW, policy)).toEqual([]);
    expect(hygieneFindings({ ...old, type: 'public', domains: ['https://a.example'] }, NOW, policy)).toEqual(
      [],
    );
  });

  it('lists every finding in the order of urgency', () => {
    const worst: HygieneSubject = {
      ...fine,
      createdAt: daysBefore(500),
      lastUsedAt: daysBefore(200),
      expiresAt: null,
      ownerUserId: 'usr_1',
      ownerDisabled: true,
    };
    expect(hygieneFindings(worst, NOW, policy)).toEqual([
      'service_account_disabled',
      'unused',
      'user_owned',
      'old_secret',
      'no_expiry',
    ]);
    const publicHttp = { ...fine, type: 'public' as const, expiresAt: null, domains: ['http://a.example'] };
    // A public token needs no expiry (its value is published anyway); its http:// origin is the finding.
    expect(hygieneFindings(publicHttp, NOW, policy)).toEqual(['http_origin']);
  });

  it('every reason suggests an action the bulk route takes', () => {
    for (const r of HYGIENE_REASONS) expect(HYGIENE_ACTIONS).toContain(ACTION_OF[r]);
  });
});

describe('httpsOrigins', () => {
  it('moves http:// to https://, keeps ports and order, and lists each origin once', () => {
    expect(
      httpsOrigins(['http://a.example', 'https://a.example', 'http://b.example:8080', 'https://c.example']),
    ).toEqual(['https://a.example', 'https://b.example:8080', 'https://c.example']);
    expect(httpsOrigins([])).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { PREFLIGHT_ALLOW_HEADERS, preflightAnswer } from '../src/cors.js';

describe('preflightAnswer: the CORS preflight answer of forward-auth and the middleware', () => {
  it('answers OPTIONS with Access-Control-Request-Method and an origin, with the origin echoed', () => {
    expect(preflightAnswer('OPTIONS', 'GET', 'https://shop.example.com')).toEqual({
      'access-control-allow-origin': 'https://shop.example.com',
      vary: 'Origin',
      'access-control-allow-headers': 'Authorization, Content-Type',
      'access-control-max-age': '600',
      'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    });
  });

  it('is no preflight without OPTIONS, without Access-Control-Request-Method or without an origin', () => {
    expect(preflightAnswer('GET', 'GET', 'https://shop.example.com')).toBeNull();
    expect(preflightAnswer('options', 'GET', 'https://shop.example.com')).toBeNull();
    expect(preflightAnswer(null, 'GET', 'https://shop.example.com')).toBeNull();
    expect(preflightAnswer(undefined, 'GET', 'https://shop.example.com')).toBeNull();
    expect(preflightAnswer('OPTIONS', undefined, 'https://shop.example.com')).toBeNull();
    expect(preflightAnswer('OPTIONS', 'GET', null)).toBeNull();
    expect(preflightAnswer('OPTIONS', 'GET', '')).toBeNull();
  });

  it('takes the allowed request headers from the caller, Authorization and Content-Type by default', () => {
    expect(PREFLIGHT_ALLOW_HEADERS).toBe('Authorization, Content-Type');
    const answer = preflightAnswer('OPTIONS', 'POST', 'https://a.example', 'Authorization, X-Trace');
    expect(answer?.['access-control-allow-headers']).toBe('Authorization, X-Trace');
  });
});

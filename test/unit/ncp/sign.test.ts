import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NCP_HEADERS, signature, signedHeaders, stringToSign } from '../../../src/ncp/sign.ts';

const base = {
  method: 'GET',
  pathWithQuery: '/api/v1/project/2001/history',
  timestampMs: 1_700_000_000_000,
  accessKey: 'AK-test',
  secretKey: 'SK-secret',
};

describe('NCP v2 signature', () => {
  it('matches an HMAC-SHA256 computed independently over METHOD path, timestamp and access key', () => {
    const expected = createHmac('sha256', 'SK-secret')
      .update('GET /api/v1/project/2001/history\n1700000000000\nAK-test')
      .digest('base64');
    expect(signature(base)).toBe(expected);
    expect(stringToSign(base)).toBe('GET /api/v1/project/2001/history\n1700000000000\nAK-test');
  });

  it('signs the query string too', () => {
    const withQuery = { ...base, pathWithQuery: '/api/v1/project/2001/history?pageNo=2' };
    expect(signature(withQuery)).not.toBe(signature(base));
    const expected = createHmac('sha256', 'SK-secret')
      .update('GET /api/v1/project/2001/history?pageNo=2\n1700000000000\nAK-test')
      .digest('base64');
    expect(signature(withQuery)).toBe(expected);
  });

  it('changes with the method, timestamp, access key and secret', () => {
    const s = signature(base);
    expect(signature({ ...base, method: 'POST' })).not.toBe(s);
    expect(signature({ ...base, timestampMs: base.timestampMs + 1 })).not.toBe(s);
    expect(signature({ ...base, accessKey: 'AK-other' })).not.toBe(s);
    expect(signature({ ...base, secretKey: 'SK-other' })).not.toBe(s);
    expect(signature({ ...base, method: 'get' })).toBe(s);
  });

  it('produces the three gateway headers', () => {
    const h = signedHeaders(base);
    expect(h[NCP_HEADERS.timestamp]).toBe('1700000000000');
    expect(h[NCP_HEADERS.accessKey]).toBe('AK-test');
    expect(h[NCP_HEADERS.signature]).toBe(signature(base));
    expect(Object.keys(h)).toHaveLength(3);
  });
});

import { describe, expect, it } from 'vitest';
import { checkObjection, objectionBody, waitBeforeSending } from './objection-rules';

describe('the objection form rules', () => {
  it('asks for the text and holds each field to the API limits', () => {
    expect(checkObjection({ text: '   ' })).toEqual({ text: { key: 'public.textRequired' } });
    expect(checkObjection({ text: 'x'.repeat(2000), contact: 'c'.repeat(100), name: 'n'.repeat(50) })).toEqual({});
    expect(checkObjection({ text: 'x'.repeat(2001), contact: 'c'.repeat(101), name: 'n'.repeat(51) })).toEqual({
      text: { key: 'form.tooLong', vars: { max: 2000 } },
      contact: { key: 'form.tooLong', vars: { max: 100 } },
      name: { key: 'form.tooLong', vars: { max: 50 } },
    });
  });

  it('sends trimmed fields, leaves out empty ones, and the honeypot only when filled', () => {
    expect(objectionBody({ text: ' 收入未申报 ', contact: ' ', name: '' }, 'tok', '')).toEqual({ text: '收入未申报', formToken: 'tok' });
    expect(objectionBody({ text: 'a', contact: '138', name: '村民' }, 'tok', 'http://spam')).toEqual({ text: 'a', contact: '138', name: '村民', formToken: 'tok', website: 'http://spam' });
  });

  it('waits until the token may be used, never more than 5 s', () => {
    const now = Date.parse('2026-05-01T00:00:00Z');
    expect(waitBeforeSending('2026-05-01T00:00:02.500Z', now)).toBe(2500);
    expect(waitBeforeSending('2026-04-30T23:59:00Z', now)).toBe(0);
    expect(waitBeforeSending('2026-05-01T00:01:00Z', now)).toBe(5000);
  });
});

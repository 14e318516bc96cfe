import { FORM_TOKEN_MAX_AGE_MS, FORM_TOKEN_MIN_AGE_MS, FormTokens, NoticeIdCodec } from '../../../src/public/public-ids.js';

const SECRET = 'a-secret-for-the-notice-board-tests-0123456789';
const NOTICE = { caseId: '0b5e7c1a-9d3f-4e2a-8c61-5f0a2b3c4d5e', step: 'publicNotice', entry: 2 };
const AT = new Date('2026-03-02T02:00:00Z');

describe('notice ids', () => {
  const codec = new NoticeIdCodec(SECRET);

  it('lead back to the case, step and visit, and are the same every time', () => {
    const id = codec.encode(NOTICE);
    expect(codec.encode(NOTICE)).toBe(id);
    expect(codec.decode(id)).toEqual(NOTICE);
  });

  it('do not show the case id, in any spelling', () => {
    const id = codec.encode(NOTICE);
    const hex = NOTICE.caseId.replace(/-/g, '');
    expect(id).not.toContain(NOTICE.caseId);
    expect(Buffer.from(id, 'base64url').toString('hex')).not.toContain(hex);
    expect(id).not.toContain(Buffer.from(hex, 'hex').toString('base64url').slice(0, 16));
  });

  it('differ by visit and by step', () => {
    const ids = new Set([codec.encode(NOTICE), codec.encode({ ...NOTICE, entry: 3 }), codec.encode({ ...NOTICE, step: 'otherNotice' })]);
    expect(ids.size).toBe(3);
  });

  it('refuse an altered id, one made with another key, and garbage', () => {
    const id = codec.encode(NOTICE);
    const bytes = Buffer.from(id, 'base64url');
    for (const index of [0, 17, bytes.length - 1]) {
      const altered = Buffer.from(bytes);
      altered[index] ^= 0x01;
      expect(codec.decode(altered.toString('base64url'))).toBeUndefined();
    }
    expect(new NoticeIdCodec('another-secret-of-sufficient-length-98765').decode(id)).toBeUndefined();
    for (const bad of ['', 'abc', '!!!!', 'x'.repeat(500), NOTICE.caseId]) expect(codec.decode(bad)).toBeUndefined();
  });
});

describe('form tokens', () => {
  const tokens = new FormTokens(SECRET);
  const noticeId = new NoticeIdCodec(SECRET).encode(NOTICE);
  const after = (ms: number) => new Date(AT.getTime() + ms);

  it('are accepted from 3 seconds to 2 hours after they were issued, for their notice only', () => {
    const { token, notBefore, expiresAt } = tokens.issue(noticeId, AT);
    expect(notBefore).toEqual(after(FORM_TOKEN_MIN_AGE_MS));
    expect(expiresAt).toEqual(after(FORM_TOKEN_MAX_AGE_MS));
    expect(tokens.check(token, noticeId, after(FORM_TOKEN_MIN_AGE_MS - 1))).toEqual({ ok: false, reason: 'too-early' });
    expect(tokens.check(token, noticeId, after(FORM_TOKEN_MIN_AGE_MS))).toEqual({ ok: true, nonce: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) });
    expect(tokens.check(token, noticeId, after(FORM_TOKEN_MAX_AGE_MS))).toMatchObject({ ok: true });
    expect(tokens.check(token, noticeId, after(FORM_TOKEN_MAX_AGE_MS + 1))).toEqual({ ok: false, reason: 'expired' });
    const other = new NoticeIdCodec(SECRET).encode({ ...NOTICE, entry: 3 });
    expect(tokens.check(token, other, after(5000))).toEqual({ ok: false, reason: 'invalid' });
  });

  it('carry a fresh nonce each time', () => {
    const a = tokens.check(tokens.issue(noticeId, AT).token, noticeId, after(5000));
    const b = tokens.check(tokens.issue(noticeId, AT).token, noticeId, after(5000));
    expect(a.ok && b.ok && a.nonce !== b.nonce).toBe(true);
  });

  it('refuse a token whose time was moved back, or that another key signed', () => {
    const { token } = tokens.issue(noticeId, AT);
    const [v, issuedAt, nonce, signature] = token.split('.');
    const backdated = [v, (parseInt(issuedAt, 36) - 60_000).toString(36), nonce, signature].join('.');
    expect(tokens.check(backdated, noticeId, after(1000))).toEqual({ ok: false, reason: 'invalid' });
    const foreign = new FormTokens('another-secret-of-sufficient-length-98765').issue(noticeId, AT).token;
    expect(tokens.check(foreign, noticeId, after(5000))).toEqual({ ok: false, reason: 'invalid' });
    for (const bad of ['', 'v1', 'v1.a.b.c', `v2.${issuedAt}.${nonce}.${signature}`]) expect(tokens.check(bad, noticeId, after(5000))).toEqual({ ok: false, reason: 'invalid' });
  });
});

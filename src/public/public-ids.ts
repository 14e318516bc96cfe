import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Notice ids and form tokens of the public board. Pure: keys in, strings out; the caller
 * passes the time. Both keys are derived (HKDF-SHA256) from PUBLIC_BOARD_SECRET, one per use.
 */

/** One notice: a case's visit (`entry`) of its notice step. */
export interface NoticeRef {
  caseId: string;
  step: string;
  entry: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STEP_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const SIV_BYTES = 16;
/** The longest id encode() can produce (a 64-character step key): longer input is not one. */
export const NOTICE_ID_MAX_LENGTH = Math.ceil(((SIV_BYTES + 16 + 2 + 64) * 4) / 3);

function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'fupin-flow public board', purpose, 32));
}

/**
 * The notice id: the case id, step and visit, encrypted deterministically (SIV: the IV is an
 * HMAC of the plain text, AES-256-CTR under a second key, the IV checked on the way back).
 * So the same notice always has the same id (the board stays cacheable), the id says
 * nothing about the case to anyone without the key, cannot be forged or altered, and leads
 * back to the case with no table to look it up in — also after the case left the notice.
 */
export class NoticeIdCodec {
  private readonly encKey: Buffer;
  private readonly macKey: Buffer;

  constructor(secret: string) {
    this.encKey = deriveKey(secret, 'notice-id encryption');
    this.macKey = deriveKey(secret, 'notice-id authentication');
  }

  encode(ref: NoticeRef): string {
    const plain = Buffer.concat([Buffer.from(ref.caseId.replace(/-/g, ''), 'hex'), uint16(ref.entry), Buffer.from(ref.step, 'utf8')]);
    const siv = createHmac('sha256', this.macKey).update(plain).digest().subarray(0, SIV_BYTES);
    const cipher = createCipheriv('aes-256-ctr', this.encKey, siv);
    return Buffer.concat([siv, cipher.update(plain), cipher.final()]).toString('base64url');
  }

  /** The notice an id names; undefined for anything this server did not hand out. */
  decode(id: string): NoticeRef | undefined {
    if (id.length > NOTICE_ID_MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(id)) return undefined;
    const bytes = Buffer.from(id, 'base64url');
    if (bytes.length < SIV_BYTES + 16 + 2 + 1) return undefined;
    const siv = bytes.subarray(0, SIV_BYTES);
    const decipher = createDecipheriv('aes-256-ctr', this.encKey, siv);
    const plain = Buffer.concat([decipher.update(bytes.subarray(SIV_BYTES)), decipher.final()]);
    const expected = createHmac('sha256', this.macKey).update(plain).digest().subarray(0, SIV_BYTES);
    if (!timingSafeEqual(siv, expected)) return undefined;
    const hex = plain.subarray(0, 16).toString('hex');
    const caseId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    const entry = plain.readUInt16BE(16);
    const step = plain.subarray(18).toString('utf8');
    if (!UUID.test(caseId) || !STEP_KEY.test(step)) return undefined;
    return { caseId, step, entry };
  }
}

function uint16(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new Error(`A step entry must fit 16 bits (got ${value})`);
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}

/** A form token may be used this long after it was issued at the earliest: people take longer to type. */
export const FORM_TOKEN_MIN_AGE_MS = 3_000;
/** … and at the latest. */
export const FORM_TOKEN_MAX_AGE_MS = 2 * 60 * 60 * 1000;

export type FormTokenCheck =
  | { ok: true; nonce: string }
  | { ok: false; reason: 'invalid' | 'too-early' | 'expired' };

/**
 * Form tokens: `v1.<issued at, ms base 36>.<nonce>.<HMAC>` for one notice. Stateless to
 * issue; the nonce is stored with the objection it carried (unique), so each token files at
 * most one objection. A bot that posts without loading the form, or faster than a person
 * could type, or replays a token, is refused without any third-party service.
 */
export class FormTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = deriveKey(secret, 'form-token');
  }

  issue(noticeId: string, now: Date): { token: string; notBefore: Date; expiresAt: Date } {
    const issuedAt = now.getTime().toString(36);
    const nonce = randomBytes(16).toString('base64url');
    return {
      token: `v1.${issuedAt}.${nonce}.${this.sign(noticeId, issuedAt, nonce)}`,
      notBefore: new Date(now.getTime() + FORM_TOKEN_MIN_AGE_MS),
      expiresAt: new Date(now.getTime() + FORM_TOKEN_MAX_AGE_MS),
    };
  }

  check(token: string, noticeId: string, now: Date): FormTokenCheck {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1' || !/^[0-9a-z]{1,12}$/.test(parts[1]) || !/^[A-Za-z0-9_-]{22}$/.test(parts[2])) {
      return { ok: false, reason: 'invalid' };
    }
    const [, issuedAt, nonce, signature] = parts;
    const expected = Buffer.from(this.sign(noticeId, issuedAt, nonce));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
    const age = now.getTime() - parseInt(issuedAt, 36);
    if (age < FORM_TOKEN_MIN_AGE_MS) return { ok: false, reason: 'too-early' };
    if (age > FORM_TOKEN_MAX_AGE_MS) return { ok: false, reason: 'expired' };
    return { ok: true, nonce };
  }

  private sign(noticeId: string, issuedAt: string, nonce: string): string {
    return createHmac('sha256', this.key).update(`form-token|v1|${noticeId}|${issuedAt}|${nonce}`).digest('base64url');
  }
}

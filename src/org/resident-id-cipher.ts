import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { normalizeResidentId } from './resident-id.js';

/**
 * Encryption at rest of resident ID numbers, with a key from configuration
 * (RESIDENT_ID_KEY, 32 bytes in base64). Two keys are derived from that secret with
 * HKDF-SHA256, so neither use weakens the other:
 *
 * - `encrypt` / `decrypt`: AES-256-GCM. A token is `v1.` followed by base64url of
 *   IV (12 random bytes) ‖ tag (16 bytes) ‖ ciphertext; the same ID encrypts differently
 *   every time, and a token altered in any byte is refused.
 * - `blindIndex`: HMAC-SHA256 of the normalised ID, hex (64 characters). Deterministic,
 *   so a column holding it can be indexed and a household found by ID
 *   (`WHERE resident_id_index = $1`) without decrypting anything; without the key it
 *   cannot be brute-forced from the small ID space.
 *
 * Errors never contain the ID or the token.
 */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const AAD = Buffer.from('fupin-flow/resident-id/v1', 'utf8');
const ID_SHAPE = /^\d{17}[\dX]$/;

export class ResidentIdCipherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResidentIdCipherError';
  }
}

export class ResidentIdCipher {
  private readonly encryptionKey: Buffer;
  private readonly indexKey: Buffer;

  /** `secret`: the 32-byte key, or its base64 (as in RESIDENT_ID_KEY). */
  constructor(secret: Buffer | string) {
    const key = typeof secret === 'string' ? Buffer.from(secret, 'base64') : secret;
    if (key.length !== KEY_BYTES) throw new ResidentIdCipherError(`the resident ID key must be ${KEY_BYTES} bytes`);
    const salt = Buffer.from('fupin-flow resident-id', 'utf8');
    this.encryptionKey = Buffer.from(hkdfSync('sha256', key, salt, 'aes-256-gcm encryption', KEY_BYTES));
    this.indexKey = Buffer.from(hkdfSync('sha256', key, salt, 'hmac-sha256 blind index', KEY_BYTES));
  }

  static fromConfig(config: Pick<AppConfig, 'residentIdKey'>): ResidentIdCipher {
    return new ResidentIdCipher(config.residentIdKey);
  }

  /** Encrypts the normalised ID (lower-case x → X). Throws on anything not ID-shaped. */
  encrypt(id: string): string {
    const plain = normalizeIdOrThrow(id);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(AAD);
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${VERSION}.${Buffer.concat([iv, tag, ciphertext]).toString('base64url')}`;
  }

  /** The ID inside a token from {@link encrypt}; throws ResidentIdCipherError when it is malformed, altered or from another key. */
  decrypt(token: string): string {
    const dot = token.indexOf('.');
    if (dot < 0 || token.slice(0, dot) !== VERSION) throw new ResidentIdCipherError('unknown resident ID token version');
    const body = token.slice(dot + 1);
    if (!/^[A-Za-z0-9_-]+$/.test(body)) throw new ResidentIdCipherError('malformed resident ID token');
    const bytes = Buffer.from(body, 'base64url');
    if (bytes.length <= IV_BYTES + TAG_BYTES) throw new ResidentIdCipherError('malformed resident ID token');
    const iv = bytes.subarray(0, IV_BYTES);
    const tag = bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const ciphertext = bytes.subarray(IV_BYTES + TAG_BYTES);
    let plain: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(AAD);
      decipher.setAuthTag(tag);
      plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new ResidentIdCipherError('resident ID token failed authentication (altered, or another key)');
    }
    if (!ID_SHAPE.test(plain)) throw new ResidentIdCipherError('resident ID token does not hold an ID');
    return plain;
  }

  /** Keyed, deterministic look-up value of the normalised ID: 64 hex characters. */
  blindIndex(id: string): string {
    return createHmac('sha256', this.indexKey).update(normalizeIdOrThrow(id), 'utf8').digest('hex');
  }
}

function normalizeIdOrThrow(id: string): string {
  const normalized = typeof id === 'string' ? normalizeResidentId(id) : '';
  if (!ID_SHAPE.test(normalized)) throw new ResidentIdCipherError('not a resident ID number (17 digits and a digit or X)');
  return normalized;
}

/** Nest provider: `constructor(private readonly residentIds: ResidentIdCipher)` once a module lists it. */
export const residentIdCipherProvider = {
  provide: ResidentIdCipher,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): ResidentIdCipher => ResidentIdCipher.fromConfig(config),
};

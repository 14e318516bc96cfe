import { createHmac, hkdfSync } from 'node:crypto';
import { canonicalJson } from '../common/canonical-json.js';

/**
 * The hash kept with an Idempotency-Key, which tells a retry (the same request: answered with
 * the stored result) from another request under the same key (422). HMAC-SHA256 of the request
 * as canonical JSON, with a key HKDF derives from IDEMPOTENCY_SECRET. Keyed, because the
 * request is what the user sent — resident IDs typed into it in clear — while everything else
 * the row keeps is masked: anyone reading a plain SHA-256 could rebuild the request from the
 * masked answer and try the few million numbers a mask leaves open until the hash matched.
 * 64 hex characters, as the column always held.
 */
export class RequestHasher {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'fupin-flow idempotency', 'request hash', 32));
  }

  hash(request: unknown): string {
    return createHmac('sha256', this.key).update(canonicalJson(request)).digest('hex');
  }
}

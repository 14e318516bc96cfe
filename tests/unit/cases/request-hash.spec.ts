import { createHash } from 'node:crypto';
import { RequestHasher } from '../../../src/cases/request-hash.js';
import { canonicalJson } from '../../../src/common/canonical-json.js';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const REQUEST = { id: '00000000-0000-4000-8000-000000000001', action: 'submit', expectedVersion: 0, data: { householderId: '440781198003122412' } };

describe('the request hash of an Idempotency-Key', () => {
  it('is 64 hex characters, the same for the same request in any key order', () => {
    const hash = new RequestHasher(SECRET).hash(REQUEST);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const reordered = { data: REQUEST.data, expectedVersion: 0, action: 'submit', id: REQUEST.id };
    expect(new RequestHasher(SECRET).hash(reordered)).toBe(hash);
    expect(new RequestHasher(SECRET).hash({ ...REQUEST, expectedVersion: 1 })).not.toBe(hash);
  });

  it('depends on the secret, and is not the plain SHA-256 a reader of the table could recompute', () => {
    const hash = new RequestHasher(SECRET).hash(REQUEST);
    expect(new RequestHasher(`${SECRET}!`).hash(REQUEST)).not.toBe(hash);
    expect(hash).not.toBe(createHash('sha256').update(canonicalJson(REQUEST)).digest('hex'));
  });
});

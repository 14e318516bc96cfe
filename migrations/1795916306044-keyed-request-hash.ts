import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * idempotency_keys.request_hash is now an HMAC keyed by IDEMPOTENCY_SECRET
 * (src/cases/request-hash.ts) instead of a plain SHA-256 of the request, which a reader of the
 * table could test guesses of the resident IDs in the request against. The rows stored before
 * hold the plain hash; the request itself was never kept, so it cannot be re-hashed, and keys
 * never expire. They are deleted: a retry of a request sent before the upgrade is then taken
 * as new, and since the first attempt moved the case, its stale `expectedVersion` answers 409
 * VERSION_CONFLICT and changes nothing (a first attempt that failed stored no key).
 */
export class KeyedRequestHash1795916306044 implements MigrationInterface {
    name = 'KeyedRequestHash1795916306044'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DELETE FROM "idempotency_keys"`);
    }

    public async down(): Promise<void> {
        // The deleted rows cannot come back; the table's shape did not change.
    }

}

import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * workflow_definitions.definition becomes `json`, which keeps keys in the order they were
 * written (jsonb sorts them by length, then bytes): forms then show their fields in the
 * author's order. Generated as DROP/ADD COLUMN, which would lose every definition; written by
 * hand as a type change instead. Rows converted here keep jsonb's order; the API restores the
 * author's order from each version's stored source at start-up
 * (DefinitionsService.restoreKeyOrder). Canonical checksums do not depend on key order, so
 * none changes.
 */
export class DefinitionKeyOrder1795913952309 implements MigrationInterface {
    name = 'DefinitionKeyOrder1795913952309'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "workflow_definitions" ALTER COLUMN "definition" TYPE json USING "definition"::json`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "workflow_definitions" ALTER COLUMN "definition" TYPE jsonb USING "definition"::jsonb`);
    }

}

import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Resident IDs typed into the free text of household files and disasters: the text columns
 * keep the text with each ID masked, `sealed_text` the sealed texts (AES-256-GCM tokens)
 * beside them (src/cases/resident-id-sealing.ts). Rows written before hold no sealed text;
 * HouseholdTextSealer seals what they typed at start-up (it needs the key, SQL cannot).
 */

export class SealedFreeText1795916206044 implements MigrationInterface {
    name = 'SealedFreeText1795916206044'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "households" ADD "sealed_text" jsonb`);
        await queryRunner.query(`ALTER TABLE "household_members" ADD "sealed_text" jsonb`);
        await queryRunner.query(`ALTER TABLE "household_incomes" ADD "sealed_text" jsonb`);
        await queryRunner.query(`ALTER TABLE "household_visits" ADD "sealed_text" jsonb`);
        await queryRunner.query(`ALTER TABLE "household_attachments" ADD "sealed_text" jsonb`);
        await queryRunner.query(`ALTER TABLE "disasters" ADD "sealed_text" jsonb`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "disasters" DROP COLUMN "sealed_text"`);
        await queryRunner.query(`ALTER TABLE "household_attachments" DROP COLUMN "sealed_text"`);
        await queryRunner.query(`ALTER TABLE "household_visits" DROP COLUMN "sealed_text"`);
        await queryRunner.query(`ALTER TABLE "household_incomes" DROP COLUMN "sealed_text"`);
        await queryRunner.query(`ALTER TABLE "household_members" DROP COLUMN "sealed_text"`);
        await queryRunner.query(`ALTER TABLE "households" DROP COLUMN "sealed_text"`);
    }

}

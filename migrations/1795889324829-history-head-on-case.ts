import { MigrationInterface, QueryRunner } from "typeorm";

export class HistoryHeadOnCase1795889324829 implements MigrationInterface {
    name = 'HistoryHeadOnCase1795889324829'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "cases" ADD "history_seq" integer NOT NULL DEFAULT '0'`);
        await queryRunner.query(`ALTER TABLE "cases" ADD "history_hash" character(64)`);
        // Existing cases: the head is their last history row (added by hand to the generated migration).
        await queryRunner.query(`UPDATE "cases" c SET "history_seq" = h."seq", "history_hash" = h."hash"
            FROM (SELECT DISTINCT ON ("case_id") "case_id", "seq", "hash" FROM "case_history" ORDER BY "case_id", "seq" DESC) h
            WHERE h."case_id" = c."id"`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "history_hash"`);
        await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "history_seq"`);
    }

}

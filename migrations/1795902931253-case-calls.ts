import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Call steps (issue 5): a case started by another case's call step records the calling
 * case and the step visit waiting for it. (The generator also proposed re-setting
 * audit_log.details' default, a no-op it sees on every run; dropped.)
 */

export class CaseCalls1795902931253 implements MigrationInterface {
    name = 'CaseCalls1795902931253'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "cases" ADD "parent_case_id" uuid`);
        await queryRunner.query(`ALTER TABLE "cases" ADD "parent_step" character varying(64)`);
        await queryRunner.query(`ALTER TABLE "cases" ADD "parent_step_entry" integer`);
        await queryRunner.query(`CREATE INDEX "idx_cases_parent_case_id" ON "cases"  ("parent_case_id") WHERE parent_case_id IS NOT NULL`);
        await queryRunner.query(`ALTER TABLE "cases" ADD CONSTRAINT "fk_cases_parent_case" FOREIGN KEY ("parent_case_id") REFERENCES "cases"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "fk_cases_parent_case"`);
        await queryRunner.query(`DROP INDEX "public"."idx_cases_parent_case_id"`);
        await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "parent_step_entry"`);
        await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "parent_step"`);
        await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "parent_case_id"`);
    }

}

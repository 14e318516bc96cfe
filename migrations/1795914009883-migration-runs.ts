import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Case migrations as jobs: one row per run (at most one queued or running per workflow key)
 * with its counts, and one row per case the run takes with its outcome, so a resumed run
 * continues with the cases still pending.
 */

export class MigrationRuns1795914009883 implements MigrationInterface {
    name = 'MigrationRuns1795914009883'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "migration_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workflow_key" character varying(64) NOT NULL, "from_version" integer NOT NULL, "to_version" integer NOT NULL, "mapping" jsonb NOT NULL, "requested_by" uuid NOT NULL, "status" character varying(16) NOT NULL, "total" integer NOT NULL, "migrated" integer NOT NULL DEFAULT '0', "refused" integer NOT NULL DEFAULT '0', "skipped" integer NOT NULL DEFAULT '0', "failed" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "error" text, CONSTRAINT "chk_migration_runs_status" CHECK ("status" IN ('queued', 'running', 'done', 'failed')), CONSTRAINT "pk_migration_runs" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_migration_runs_key" ON "migration_runs"  ("workflow_key", "created_at") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_migration_runs_active" ON "migration_runs"  ("workflow_key") WHERE "status" IN ('queued', 'running')`);
        await queryRunner.query(`CREATE TABLE "migration_run_cases" ("run_id" uuid NOT NULL, "case_id" uuid NOT NULL, "position" integer NOT NULL, "outcome" character varying(16) NOT NULL, "reason" text, "handled_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "chk_migration_run_cases_outcome" CHECK ("outcome" IN ('pending', 'migrated', 'refused', 'skipped', 'failed')), CONSTRAINT "pk_migration_run_cases" PRIMARY KEY ("run_id", "case_id"))`);
        await queryRunner.query(`CREATE INDEX "idx_migration_run_cases_outcome" ON "migration_run_cases"  ("run_id", "outcome", "position") `);
        await queryRunner.query(`ALTER TABLE "migration_run_cases" ADD CONSTRAINT "fk_migration_run_cases_run" FOREIGN KEY ("run_id") REFERENCES "migration_runs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "migration_run_cases" DROP CONSTRAINT "fk_migration_run_cases_run"`);
        await queryRunner.query(`DROP INDEX "public"."idx_migration_run_cases_outcome"`);
        await queryRunner.query(`DROP TABLE "migration_run_cases"`);
        await queryRunner.query(`DROP INDEX "public"."uq_migration_runs_active"`);
        await queryRunner.query(`DROP INDEX "public"."idx_migration_runs_key"`);
        await queryRunner.query(`DROP TABLE "migration_runs"`);
    }

}

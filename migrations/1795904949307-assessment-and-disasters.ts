import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Year-end assessment (runs, one result row per (year, county) holding at most one interview,
 * one assessment exit per (year, household)) and disasters with their re-entry cases (one per
 * (disaster, household)). The spurious audit_log default diff TypeORM reports is left out.
 */

export class AssessmentAndDisasters1795904949307 implements MigrationInterface {
    name = 'AssessmentAndDisasters1795904949307'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "assessment_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "year" integer NOT NULL, "trigger" character varying(16) NOT NULL, "requested_by" uuid, "status" character varying(16) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "result" jsonb, "error" text, CONSTRAINT "chk_assessment_runs_trigger" CHECK ("trigger" IN ('administrator', 'schedule')), CONSTRAINT "chk_assessment_runs_status" CHECK ("status" IN ('queued', 'running', 'done', 'failed')), CONSTRAINT "pk_assessment_runs" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_assessment_runs_active" ON "assessment_runs"  ("year") WHERE "status" IN ('queued', 'running')`);
        await queryRunner.query(`CREATE TABLE "county_assessments" ("year" integer NOT NULL, "county_code" character varying(6) NOT NULL, "status" character varying(16) NOT NULL, "run_id" uuid NOT NULL, "target" integer, "reentered_people" integer NOT NULL DEFAULT '0', "exited_people" integer NOT NULL DEFAULT '0', "missed" boolean, "exit_cases_opened" integer NOT NULL DEFAULT '0', "interview_case_id" uuid, "error" text, "assessed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "chk_county_assessments_status" CHECK ("status" IN ('done', 'failed')), CONSTRAINT "pk_county_assessments" PRIMARY KEY ("year", "county_code"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_county_assessments_interview" ON "county_assessments"  ("interview_case_id") `);
        await queryRunner.query(`CREATE TABLE "assessment_exits" ("year" integer NOT NULL, "household_id" uuid NOT NULL, "county_code" character varying(6) NOT NULL, "case_id" uuid NOT NULL, "run_id" uuid NOT NULL, CONSTRAINT "pk_assessment_exits" PRIMARY KEY ("year", "household_id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_assessment_exits_case" ON "assessment_exits"  ("case_id") `);
        await queryRunner.query(`CREATE TABLE "disasters" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "type" character varying(16) NOT NULL, "occurred_on" date NOT NULL, "affected_towns" character varying(9) array NOT NULL, "description" text NOT NULL, "jurisdiction_code" character varying(12) NOT NULL, "recorded_by" uuid NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "chk_disasters_type" CHECK ("type" IN ('typhoon', 'flood', 'drought', 'landslide', 'other')), CONSTRAINT "pk_disasters" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_disasters_occurred" ON "disasters"  ("occurred_on") `);
        await queryRunner.query(`CREATE TABLE "disaster_reentries" ("disaster_id" uuid NOT NULL, "household_id" uuid NOT NULL, "case_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_disaster_reentries" PRIMARY KEY ("disaster_id", "household_id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_disaster_reentries_case" ON "disaster_reentries"  ("case_id") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."uq_disaster_reentries_case"`);
        await queryRunner.query(`DROP TABLE "disaster_reentries"`);
        await queryRunner.query(`DROP INDEX "public"."idx_disasters_occurred"`);
        await queryRunner.query(`DROP TABLE "disasters"`);
        await queryRunner.query(`DROP INDEX "public"."uq_assessment_exits_case"`);
        await queryRunner.query(`DROP TABLE "assessment_exits"`);
        await queryRunner.query(`DROP INDEX "public"."uq_county_assessments_interview"`);
        await queryRunner.query(`DROP TABLE "county_assessments"`);
        await queryRunner.query(`DROP INDEX "public"."uq_assessment_runs_active"`);
        await queryRunner.query(`DROP TABLE "assessment_runs"`);
    }

}

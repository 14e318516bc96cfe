import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Household files (一户一档) and the yearly rules (generated; one index edited by hand, see
 * below). `cases.household_id` links a case to its file and `cases.rules_year` pins the year
 * of rules its guards read; both are set by the households' start route only (no foreign key
 * from cases: the cases feature does not depend on households).
 */
export class HouseholdFiles1795903380792 implements MigrationInterface {
    name = 'HouseholdFiles1795903380792'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "households" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "jurisdiction_code" character varying(12) NOT NULL, "head_name" character varying(50) NOT NULL, "address" character varying(200), "rural" boolean NOT NULL, "dibao" boolean NOT NULL DEFAULT false, "consent" boolean, "register_status" character varying(16) NOT NULL DEFAULT 'none', "registered_on" date, "exited_on" date, "reentered_on" date, "measures" character varying(32) array NOT NULL DEFAULT '{}', "paired_unit" character varying(100), "responsible_person" character varying(50), "volunteers" jsonb NOT NULL DEFAULT '[]', "plan_summary" text, "version" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_by" uuid, CONSTRAINT "chk_households_village" CHECK (length("jurisdiction_code") = 12), CONSTRAINT "chk_households_status" CHECK ("register_status" IN ('none', 'registered', 'exited', 'reentered')), CONSTRAINT "pk_households" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_households_status" ON "households"  ("register_status", "jurisdiction_code") `);
        // By hand: text_pattern_ops (TypeORM cannot declare an operator class), so that "the
        // households of this county/town/village" (jurisdiction_code LIKE 'prefix%') is an index
        // range scan under any collation, as for cases (migration cases-jurisdiction-prefix).
        await queryRunner.query(`CREATE INDEX "idx_households_jurisdiction" ON "households"  ("jurisdiction_code" text_pattern_ops) `);
        await queryRunner.query(`CREATE TABLE "household_members" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "household_id" uuid NOT NULL, "position" smallint NOT NULL, "name" character varying(50) NOT NULL, "relation" character varying(20) NOT NULL, "resident_id_masked" character varying(18), "resident_id_token" text, "resident_id_index" character(64), "age" smallint NOT NULL, "labour_ability" boolean NOT NULL, "disability" boolean NOT NULL DEFAULT false, "schooling" character varying(16) NOT NULL DEFAULT 'none', "in_school" boolean NOT NULL DEFAULT false, "health_insurance" boolean NOT NULL DEFAULT false, CONSTRAINT "chk_household_members_schooling" CHECK ("schooling" IN ('none', 'preschool', 'primary', 'junior', 'senior', 'vocational', 'college')), CONSTRAINT "chk_household_members_age" CHECK ("age" BETWEEN 0 AND 130), CONSTRAINT "pk_household_members" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_household_members_resident_id" ON "household_members"  ("resident_id_index") WHERE "resident_id_index" IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "idx_household_members_household" ON "household_members"  ("household_id", "position") `);
        await queryRunner.query(`CREATE TABLE "yearly_rules" ("year" smallint NOT NULL, "poverty_line" numeric(12,2) NOT NULL, "rural_low_line" numeric(12,2) NOT NULL, "low_line_counties" character varying(6) array NOT NULL, "urban_dibao_standard" numeric(12,2) NOT NULL, "urban_exit_ratio" numeric(6,4) NOT NULL, "rural_mean_income" numeric(12,2) NOT NULL, "rural_exit_ratio" numeric(6,4) NOT NULL, "checklist" jsonb NOT NULL, "village_collective_income_target" numeric(14,2), "placeholders" character varying(40) array NOT NULL DEFAULT '{}', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_by" uuid, CONSTRAINT "chk_yearly_rules_figures" CHECK ("poverty_line" > 0 AND "rural_low_line" > 0 AND "urban_dibao_standard" > 0 AND "rural_mean_income" > 0 AND "urban_exit_ratio" > 0 AND "rural_exit_ratio" > 0), CONSTRAINT "chk_yearly_rules_year" CHECK ("year" BETWEEN 2000 AND 2100), CONSTRAINT "pk_yearly_rules" PRIMARY KEY ("year"))`);
        await queryRunner.query(`CREATE TABLE "household_incomes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "household_id" uuid NOT NULL, "year" smallint NOT NULL, "source" character varying(16) NOT NULL, "amount" numeric(12,2) NOT NULL, "note" character varying(200), CONSTRAINT "chk_household_incomes_sign" CHECK ("amount" >= 0 OR "source" IN ('business', 'property')), CONSTRAINT "chk_household_incomes_source" CHECK ("source" IN ('wage', 'business', 'property', 'transfer')), CONSTRAINT "pk_household_incomes" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_household_incomes_household_year" ON "household_incomes"  ("household_id", "year") `);
        await queryRunner.query(`CREATE TABLE "household_checklists" ("household_id" uuid NOT NULL, "year" smallint NOT NULL, "items" jsonb NOT NULL, "checked_on" date, CONSTRAINT "pk_household_checklists" PRIMARY KEY ("household_id", "year"))`);
        await queryRunner.query(`CREATE TABLE "household_visits" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "household_id" uuid NOT NULL, "visited_on" date NOT NULL, "visitor_name" character varying(50) NOT NULL, "visitor_role" character varying(100), "leader" boolean NOT NULL DEFAULT false, "notes" text, "recorded_by" uuid, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_household_visits" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_household_visits_household" ON "household_visits"  ("household_id", "visited_on") `);
        await queryRunner.query(`CREATE TABLE "household_attachments" ("id" uuid NOT NULL, "household_id" uuid NOT NULL, "kind" character varying(24) NOT NULL, "file_name" character varying(200) NOT NULL, "content_type" character varying(100) NOT NULL, "size_bytes" integer NOT NULL, "sha256" character(64) NOT NULL, "storage_key" character varying(300) NOT NULL, "case_id" uuid, "uploaded_by" uuid, "uploaded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "chk_household_attachments_kind" CHECK ("kind" IN ('meeting-minutes', 'notice-photo', 'other')), CONSTRAINT "pk_household_attachments" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_household_attachments_household" ON "household_attachments"  ("household_id", "uploaded_at") `);
        await queryRunner.query(`CREATE TABLE "household_versions" ("household_id" uuid NOT NULL, "version" integer NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_id" uuid, "actor_username" character varying(64), "kind" character varying(32) NOT NULL, "changes" jsonb NOT NULL, "case_id" uuid, CONSTRAINT "pk_household_versions" PRIMARY KEY ("household_id", "version"))`);
        await queryRunner.query(`ALTER TABLE "cases" ADD "household_id" uuid`);
        await queryRunner.query(`ALTER TABLE "cases" ADD "rules_year" smallint`);
        await queryRunner.query(`CREATE INDEX "idx_cases_household" ON "cases"  ("household_id") WHERE "household_id" IS NOT NULL`);
        await queryRunner.query(`ALTER TABLE "households" ADD CONSTRAINT "fk_households_jurisdiction" FOREIGN KEY ("jurisdiction_code") REFERENCES "jurisdictions"("code") ON DELETE NO ACTION ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "household_members" ADD CONSTRAINT "fk_household_members_household" FOREIGN KEY ("household_id") REFERENCES "households"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "household_incomes" ADD CONSTRAINT "fk_household_incomes_household" FOREIGN KEY ("household_id") REFERENCES "households"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "household_checklists" ADD CONSTRAINT "fk_household_checklists_household" FOREIGN KEY ("household_id") REFERENCES "households"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "household_visits" ADD CONSTRAINT "fk_household_visits_household" FOREIGN KEY ("household_id") REFERENCES "households"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "household_attachments" ADD CONSTRAINT "fk_household_attachments_household" FOREIGN KEY ("household_id") REFERENCES "households"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "household_versions" ADD CONSTRAINT "fk_household_versions_household" FOREIGN KEY ("household_id") REFERENCES "households"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "household_versions" DROP CONSTRAINT "fk_household_versions_household"`);
        await queryRunner.query(`ALTER TABLE "household_attachments" DROP CONSTRAINT "fk_household_attachments_household"`);
        await queryRunner.query(`ALTER TABLE "household_visits" DROP CONSTRAINT "fk_household_visits_household"`);
        await queryRunner.query(`ALTER TABLE "household_checklists" DROP CONSTRAINT "fk_household_checklists_household"`);
        await queryRunner.query(`ALTER TABLE "household_incomes" DROP CONSTRAINT "fk_household_incomes_household"`);
        await queryRunner.query(`ALTER TABLE "household_members" DROP CONSTRAINT "fk_household_members_household"`);
        await queryRunner.query(`ALTER TABLE "households" DROP CONSTRAINT "fk_households_jurisdiction"`);
        await queryRunner.query(`DROP INDEX "public"."idx_cases_household"`);
        await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "rules_year"`);
        await queryRunner.query(`ALTER TABLE "cases" DROP COLUMN "household_id"`);
        await queryRunner.query(`DROP TABLE "household_versions"`);
        await queryRunner.query(`DROP INDEX "public"."idx_household_attachments_household"`);
        await queryRunner.query(`DROP TABLE "household_attachments"`);
        await queryRunner.query(`DROP INDEX "public"."idx_household_visits_household"`);
        await queryRunner.query(`DROP TABLE "household_visits"`);
        await queryRunner.query(`DROP TABLE "household_checklists"`);
        await queryRunner.query(`DROP INDEX "public"."idx_household_incomes_household_year"`);
        await queryRunner.query(`DROP TABLE "household_incomes"`);
        await queryRunner.query(`DROP TABLE "yearly_rules"`);
        await queryRunner.query(`DROP INDEX "public"."idx_household_members_household"`);
        await queryRunner.query(`DROP INDEX "public"."uq_household_members_resident_id"`);
        await queryRunner.query(`DROP TABLE "household_members"`);
        await queryRunner.query(`DROP INDEX "public"."idx_households_jurisdiction"`);
        await queryRunner.query(`DROP INDEX "public"."idx_households_status"`);
        await queryRunner.query(`DROP TABLE "households"`);
    }

}

import { MigrationInterface, QueryRunner } from "typeorm";

export class InitialSchema1795883779646 implements MigrationInterface {
    name = 'InitialSchema1795883779646'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "workflow_definitions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key" character varying(64) NOT NULL, "version" integer NOT NULL, "label" character varying(200) NOT NULL, "definition" jsonb NOT NULL, "source" text NOT NULL, "source_format" character varying(8) NOT NULL, "checksum" character(64) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'published', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_workflow_definitions_key_version" UNIQUE ("key", "version"), CONSTRAINT "pk_workflow_definitions" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "cases" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "workflow_key" character varying(64) NOT NULL, "workflow_version" integer NOT NULL, "definition_id" uuid NOT NULL, "status" character varying(32) NOT NULL, "snapshot" jsonb NOT NULL, "data" jsonb NOT NULL, "title" character varying(200), "jurisdiction_code" character varying(12) NOT NULL, "version" integer NOT NULL DEFAULT '0', "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_cases" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_cases_jurisdiction_code" ON "cases"  ("jurisdiction_code") `);
        await queryRunner.query(`CREATE INDEX "idx_cases_workflow_key_status" ON "cases"  ("workflow_key", "status") `);
        await queryRunner.query(`CREATE TABLE "case_history" ("id" BIGSERIAL NOT NULL, "case_id" uuid NOT NULL, "seq" integer NOT NULL, "event_type" character varying(32) NOT NULL, "action" character varying(64), "actor_id" uuid, "actor" jsonb, "payload" jsonb NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "uq_case_history_case_seq" UNIQUE ("case_id", "seq"), CONSTRAINT "pk_case_history" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "idempotency_keys" ("user_id" uuid NOT NULL, "key" character varying(200) NOT NULL, "case_id" uuid NOT NULL, "request_hash" character(64) NOT NULL, "status_code" integer, "response" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_idempotency_keys" PRIMARY KEY ("user_id", "key"))`);
        await queryRunner.query(`CREATE TABLE "outbox" ("id" BIGSERIAL NOT NULL, "case_id" uuid, "kind" character varying(32) NOT NULL, "payload" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "available_at" TIMESTAMP WITH TIME ZONE NOT NULL, "published_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "pk_outbox" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_outbox_unpublished_available_at" ON "outbox"  ("available_at") WHERE "published_at" IS NULL`);
        await queryRunner.query(`CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(64) NOT NULL, "display_name" character varying(100) NOT NULL, "password_hash" text NOT NULL, "roles" text array NOT NULL, "jurisdiction_code" character varying(12) NOT NULL, "failed_login_count" integer NOT NULL DEFAULT '0', "locked_until" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_users_username" UNIQUE ("username"), CONSTRAINT "pk_users" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "tasks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "case_id" uuid NOT NULL, "step" character varying(64) NOT NULL, "step_entry" integer NOT NULL, "role" character varying(32) NOT NULL, "level" character varying(16) NOT NULL, "jurisdiction_code" character varying(12) NOT NULL, "status" character varying(16) NOT NULL, "assignee_id" uuid, "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE, "closed_by" uuid, "outcome" character varying(64), CONSTRAINT "uq_tasks_case_step_entry" UNIQUE ("case_id", "step", "step_entry"), CONSTRAINT "pk_tasks" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_tasks_inbox" ON "tasks"  ("status", "role", "jurisdiction_code") `);
        await queryRunner.query(`ALTER TABLE "cases" ADD CONSTRAINT "fk_cases_definition" FOREIGN KEY ("definition_id") REFERENCES "workflow_definitions"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "case_history" ADD CONSTRAINT "fk_case_history_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "tasks" ADD CONSTRAINT "fk_tasks_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "tasks" DROP CONSTRAINT "fk_tasks_case"`);
        await queryRunner.query(`ALTER TABLE "case_history" DROP CONSTRAINT "fk_case_history_case"`);
        await queryRunner.query(`ALTER TABLE "cases" DROP CONSTRAINT "fk_cases_definition"`);
        await queryRunner.query(`DROP INDEX "public"."idx_tasks_inbox"`);
        await queryRunner.query(`DROP TABLE "tasks"`);
        await queryRunner.query(`DROP TABLE "users"`);
        await queryRunner.query(`DROP INDEX "public"."idx_outbox_unpublished_available_at"`);
        await queryRunner.query(`DROP TABLE "outbox"`);
        await queryRunner.query(`DROP TABLE "idempotency_keys"`);
        await queryRunner.query(`DROP TABLE "case_history"`);
        await queryRunner.query(`DROP INDEX "public"."idx_cases_workflow_key_status"`);
        await queryRunner.query(`DROP INDEX "public"."idx_cases_jurisdiction_code"`);
        await queryRunner.query(`DROP TABLE "cases"`);
        await queryRunner.query(`DROP TABLE "workflow_definitions"`);
    }

}

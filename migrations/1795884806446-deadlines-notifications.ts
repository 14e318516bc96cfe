import { MigrationInterface, QueryRunner } from "typeorm";

export class DeadlinesNotifications1795884806446 implements MigrationInterface {
    name = 'DeadlinesNotifications1795884806446'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "calendar_days" ("date" date NOT NULL, "kind" character varying(8) NOT NULL, "note" character varying(100), "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_calendar_days" PRIMARY KEY ("date"))`);
        await queryRunner.query(`CREATE TABLE "deadlines" ("id" BIGSERIAL NOT NULL, "case_id" uuid NOT NULL, "step" character varying(64) NOT NULL, "step_entry" integer NOT NULL, "kind" character varying(16) NOT NULL, "rung" integer NOT NULL DEFAULT '0', "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "generation" integer NOT NULL DEFAULT '1', "status" character varying(16) NOT NULL DEFAULT 'pending', "provisional" boolean NOT NULL DEFAULT false, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "settings" jsonb NOT NULL, "remaining" integer, "enqueued_generation" integer, "fired_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_deadlines" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_deadlines_case_step" ON "deadlines"  ("case_id", "step", "status") `);
        await queryRunner.query(`CREATE INDEX "idx_deadlines_pending_due_at" ON "deadlines"  ("due_at") WHERE "status" = 'pending'`);
        await queryRunner.query(`CREATE TABLE "email_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "dedup_key" character varying(200) NOT NULL, "user_id" uuid, "to_address" character varying(200) NOT NULL, "subject" character varying(200) NOT NULL, "body" text NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE, "failed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "pk_email_deliveries" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_email_deliveries_status" ON "email_deliveries"  ("status", "created_at") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_email_deliveries_dedup" ON "email_deliveries"  ("dedup_key") `);
        await queryRunner.query(`CREATE TABLE "notifications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "case_id" uuid, "kind" character varying(32) NOT NULL, "title" character varying(200) NOT NULL, "body" text NOT NULL, "dedup_key" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "read_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "uq_notifications_user_dedup" UNIQUE ("user_id", "dedup_key"), CONSTRAINT "pk_notifications" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_notifications_user_created" ON "notifications"  ("user_id", "created_at") `);
        await queryRunner.query(`ALTER TABLE "users" ADD "email" character varying(200)`);
        await queryRunner.query(`ALTER TABLE "deadlines" ADD CONSTRAINT "fk_deadlines_case" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "deadlines" DROP CONSTRAINT "fk_deadlines_case"`);
        await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "email"`);
        await queryRunner.query(`DROP INDEX "public"."idx_notifications_user_created"`);
        await queryRunner.query(`DROP TABLE "notifications"`);
        await queryRunner.query(`DROP INDEX "public"."uq_email_deliveries_dedup"`);
        await queryRunner.query(`DROP INDEX "public"."idx_email_deliveries_status"`);
        await queryRunner.query(`DROP TABLE "email_deliveries"`);
        await queryRunner.query(`DROP INDEX "public"."idx_deadlines_pending_due_at"`);
        await queryRunner.query(`DROP INDEX "public"."idx_deadlines_case_step"`);
        await queryRunner.query(`DROP TABLE "deadlines"`);
        await queryRunner.query(`DROP TABLE "calendar_days"`);
    }

}

import { MigrationInterface, QueryRunner } from "typeorm";

export class DefinitionDrafts1795903001727 implements MigrationInterface {
    name = 'DefinitionDrafts1795903001727'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "workflow_drafts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "key" character varying(64) NOT NULL, "source" text NOT NULL, "source_format" character varying(8) NOT NULL, "checksum" character(64) NOT NULL, "validated_checksum" character(64), "issues" jsonb, "validated_at" TIMESTAMP WITH TIME ZONE, "created_by" uuid, "updated_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "uq_workflow_drafts_key" UNIQUE ("key"), CONSTRAINT "pk_workflow_drafts" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_cases_definition" ON "cases"  ("definition_id") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."idx_cases_definition"`);
        await queryRunner.query(`DROP TABLE "workflow_drafts"`);
    }

}

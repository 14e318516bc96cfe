import { MigrationInterface, QueryRunner } from "typeorm";

export class OverdueByTaskDue1795897282676 implements MigrationInterface {
    name = 'OverdueByTaskDue1795897282676'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX "idx_tasks_open_due" ON "tasks"  ("due_at", "jurisdiction_code", "id") WHERE "status" = 'open'`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."idx_tasks_open_due"`);
    }

}

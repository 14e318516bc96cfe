import { MigrationInterface, QueryRunner } from "typeorm";

export class OpenTasksByCase1795886560984 implements MigrationInterface {
    name = 'OpenTasksByCase1795886560984'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX "idx_tasks_open_by_case" ON "tasks"  ("case_id") WHERE "status" = 'open'`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."idx_tasks_open_by_case"`);
    }

}

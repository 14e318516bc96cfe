import { MigrationInterface, QueryRunner } from "typeorm";

export class DeadlinesToSchedule1795889369443 implements MigrationInterface {
    name = 'DeadlinesToSchedule1795889369443'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX "idx_deadlines_to_schedule" ON "deadlines"  ("due_at") WHERE "status" = 'pending' AND "enqueued_generation" IS DISTINCT FROM "generation"`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."idx_deadlines_to_schedule"`);
    }

}

import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Written by hand: TypeORM cannot declare an operator class, so `migration:generate` sees
 * no difference (the entity's idx_cases_jurisdiction_code keeps its name and column). The
 * index is rebuilt with text_pattern_ops so that "cases inside this subtree"
 * (`jurisdiction_code LIKE '44078110920%'`, the inbox's jurisdiction filter) is an index
 * range scan under any collation, not only "C"; equality look-ups use it as before.
 */
export class CasesJurisdictionPrefix1795893561000 implements MigrationInterface {
    name = 'CasesJurisdictionPrefix1795893561000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."idx_cases_jurisdiction_code"`);
        await queryRunner.query(`CREATE INDEX "idx_cases_jurisdiction_code" ON "cases"  ("jurisdiction_code" text_pattern_ops) `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."idx_cases_jurisdiction_code"`);
        await queryRunner.query(`CREATE INDEX "idx_cases_jurisdiction_code" ON "cases"  ("jurisdiction_code") `);
    }

}

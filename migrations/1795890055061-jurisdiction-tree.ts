import { MigrationInterface, QueryRunner } from "typeorm";

export class JurisdictionTree1795890055061 implements MigrationInterface {
    name = 'JurisdictionTree1795890055061'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "jurisdictions" ("code" character varying(12) NOT NULL, "name" character varying(100) NOT NULL, "level" character varying(16) NOT NULL, "parent_code" character varying(12), "path" text NOT NULL, "retired_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "chk_jurisdictions_level" CHECK ("level" IN ('city', 'county', 'town', 'village')), CONSTRAINT "pk_jurisdictions" PRIMARY KEY ("code"))`);
        await queryRunner.query(`CREATE INDEX "idx_jurisdictions_parent" ON "jurisdictions"  ("parent_code") `);
        // Edited by hand: text_pattern_ops (TypeORM cannot declare an operator class) so that
        // `path LIKE '440700.440781%'` is an index range scan under any collation, not only "C".
        await queryRunner.query(`CREATE INDEX "idx_jurisdictions_path" ON "jurisdictions"  ("path" text_pattern_ops) `);
        await queryRunner.query(`CREATE TABLE "county_pairings" ("helper_code" character varying(12) NOT NULL, "helped_code" character varying(12) NOT NULL, CONSTRAINT "pk_county_pairings" PRIMARY KEY ("helper_code", "helped_code"))`);
        await queryRunner.query(`ALTER TABLE "jurisdictions" ADD CONSTRAINT "fk_jurisdictions_parent" FOREIGN KEY ("parent_code") REFERENCES "jurisdictions"("code") ON DELETE NO ACTION ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "county_pairings" ADD CONSTRAINT "fk_county_pairings_helper" FOREIGN KEY ("helper_code") REFERENCES "jurisdictions"("code") ON DELETE NO ACTION ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "county_pairings" ADD CONSTRAINT "fk_county_pairings_helped" FOREIGN KEY ("helped_code") REFERENCES "jurisdictions"("code") ON DELETE NO ACTION ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "county_pairings" DROP CONSTRAINT "fk_county_pairings_helped"`);
        await queryRunner.query(`ALTER TABLE "county_pairings" DROP CONSTRAINT "fk_county_pairings_helper"`);
        await queryRunner.query(`ALTER TABLE "jurisdictions" DROP CONSTRAINT "fk_jurisdictions_parent"`);
        await queryRunner.query(`DROP TABLE "county_pairings"`);
        await queryRunner.query(`DROP INDEX "public"."idx_jurisdictions_path"`);
        await queryRunner.query(`DROP INDEX "public"."idx_jurisdictions_parent"`);
        await queryRunner.query(`DROP TABLE "jurisdictions"`);
    }

}

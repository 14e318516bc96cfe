import type { Level } from './workflow-definition.js';

/**
 * China's statistical division codes nest by prefix: 4407 江门市 (written 440700),
 * 440781 台山市, 440781001 a town/street, 440781001001 a village/community. The node
 * responsible for a case at a level is therefore a prefix of the case's own code.
 */
const PREFIX_LENGTH: Record<Level, number> = { city: 4, county: 6, town: 9, village: 12 };
const CODE_LENGTH: Record<Level, number> = { city: 6, county: 6, town: 9, village: 12 };

/** The code of the node at `level` that contains `code` (e.g. the county of a village). */
export function jurisdictionAt(code: string, level: Level): string | undefined {
  const prefixLength = PREFIX_LENGTH[level];
  if (code.length < prefixLength) return undefined;
  return code.slice(0, prefixLength).padEnd(CODE_LENGTH[level], '0');
}

/** The level of a node from the shape of its code. */
export function levelOf(code: string): Level | undefined {
  if (code.length === 12) return 'village';
  if (code.length === 9) return 'town';
  if (code.length === 6) return code.endsWith('00') ? 'city' : 'county';
  return undefined;
}

/** The prefix every code below (and including) this node starts with. */
export function subtreePrefix(code: string): string {
  const level = levelOf(code);
  return level ? code.slice(0, PREFIX_LENGTH[level]) : code;
}

/** Whether `code` lies inside the subtree of `ancestor` (a node contains itself). */
export function isWithin(code: string, ancestor: string): boolean {
  return code.startsWith(subtreePrefix(ancestor));
}

import { isWithin } from '../engine/jurisdiction-code.js';

/**
 * What is wrong with a disaster as recorded (pure): the date is a calendar date not after
 * today (Beijing time), and each affected town is given once, is a current town, and lies
 * inside the recording administrator's jurisdiction. Empty when it is valid.
 */
export function disasterProblems(input: { date: string; affectedTowns: readonly string[] }, today: string, currentTowns: ReadonlySet<string>, jurisdictionCode: string): string[] {
  const problems: string[] = [];
  const parsed = new Date(`${input.date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== input.date) problems.push(`${input.date} is not a calendar date`);
  else if (input.date > today) problems.push(`${input.date} is in the future (today is ${today})`);
  const twice = input.affectedTowns.filter((t, i) => input.affectedTowns.indexOf(t) !== i);
  if (twice.length > 0) problems.push(`given twice: ${[...new Set(twice)].join(', ')}`);
  const unknown = input.affectedTowns.filter((t) => !currentTowns.has(t));
  if (unknown.length > 0) problems.push(`not a current town: ${unknown.join(', ')}`);
  const outside = input.affectedTowns.filter((t) => currentTowns.has(t) && !isWithin(t, jurisdictionCode));
  if (outside.length > 0) problems.push(`outside your jurisdiction ${jurisdictionCode}: ${outside.join(', ')}`);
  return problems;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The case ids in a pasted text (any separators); none: every case. */
export function caseIdsIn(text: string): string[] | undefined {
  const ids = [...new Set((text.match(UUID) ?? []).map((id) => id.toLowerCase()))];
  return ids.length > 0 ? ids : undefined;
}

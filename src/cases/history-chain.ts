import { canonicalJson } from '../common/canonical-json.js';
import { createHash } from 'node:crypto';

/**
 * The tamper-evident history: every row's hash covers its content and the previous row's
 * hash, so changing, removing or reordering any row breaks every hash after it.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedEvent {
  caseId: string;
  seq: number;
  eventType: string;
  action: string | null;
  actorId: string | null;
  actor: unknown;
  payload: unknown;
  at: Date;
}

export { canonicalJson } from '../common/canonical-json.js';

export function hashEvent(event: ChainedEvent, prevHash: string): string {
  const content = canonicalJson({
    caseId: event.caseId,
    seq: event.seq,
    eventType: event.eventType,
    action: event.action,
    actorId: event.actorId,
    actor: event.actor,
    payload: event.payload,
    at: event.at.toISOString(),
  });
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}

export interface StoredChainRow extends ChainedEvent {
  prevHash: string;
  hash: string;
}

export type ChainVerdict =
  | { valid: true; length: number }
  | { valid: false; length: number; firstBrokenSeq: number; reason: string };

/**
 * Walks the rows in order and reports the first one whose link or content does not check
 * out. With the head recorded on the case row, it also catches rows removed from the end
 * and a chain rewritten consistently from some row on (its end no longer matches the head).
 */
export function verifyChain(rows: StoredChainRow[], head?: { seq: number; hash: string | null }): ChainVerdict {
  let prev = GENESIS_HASH;
  for (const [index, row] of rows.entries()) {
    if (row.seq !== index + 1) {
      return { valid: false, length: rows.length, firstBrokenSeq: row.seq, reason: `expected sequence number ${index + 1}, found ${row.seq} (a row is missing)` };
    }
    if (row.prevHash !== prev) {
      return { valid: false, length: rows.length, firstBrokenSeq: row.seq, reason: 'the link to the previous row does not match' };
    }
    if (hashEvent(row, prev) !== row.hash) {
      return { valid: false, length: rows.length, firstBrokenSeq: row.seq, reason: 'the row content does not match its hash (altered)' };
    }
    prev = row.hash;
  }
  if (head && head.seq > rows.length) {
    return { valid: false, length: rows.length, firstBrokenSeq: rows.length + 1, reason: `the case records ${head.seq} history rows; rows from ${rows.length + 1} on are missing` };
  }
  if (head && head.seq === rows.length && rows.length > 0 && head.hash !== prev) {
    return { valid: false, length: rows.length, firstBrokenSeq: rows.length, reason: 'the chain does not end at the head recorded on the case (rewritten)' };
  }
  return { valid: true, length: rows.length };
}

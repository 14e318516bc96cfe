import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { presentResidentIds, sealedIdsIn, sealedPart, sealStrings, withSealedPart, type ResidentIdSealer } from '../cases/resident-id-sealing.js';
import { ResidentIdCipher } from '../org/resident-id-cipher.js';
import type { FileChange } from './household-file.js';
import { HOUSEHOLD_COLUMNS, HOUSEHOLD_TEXT_COLUMNS, sealedRow, shownColumns, type HouseholdRow } from './households.service.js';

/**
 * Seventeen digits in a row (ASCII or full-width): what a resident ID typed into a text starts
 * with, as a pattern PostgreSQL can test, so only the rows that may hold one are read;
 * residentIdsInText (checksum, birth date) decides.
 */
const MAY_HOLD_AN_ID = '[0-9\uFF10-\uFF19]{17}';

/**
 * Free text written before resident IDs typed into it were sealed (migration sealed-free-text)
 * may hold them in clear. At start-up, before anything is served, the rows that may hold one
 * are sealed as a write would seal them: the column masked, the sealed part beside it — the
 * household file's tables and its version log here, disasters by DisastersService. SQL cannot
 * do it (it needs RESIDENT_ID_KEY), and nothing typed is lost. Afterwards only 18-digit numbers
 * that are not IDs still match, and they are left as typed. Each table's rows are taken FOR
 * UPDATE SKIP LOCKED: processes starting together share them, none seals a row twice.
 */
@Injectable()
export class LegacyTextSealer implements OnModuleInit {
  private readonly logger = new Logger(LegacyTextSealer.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: ResidentIdCipher,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.sealAll();
  }

  /** Rows sealed, per table. */
  async sealAll(): Promise<Record<string, number>> {
    const sealed: Record<string, number> = {};
    const count = async (table: string, work: (manager: EntityManager) => Promise<number>) => {
      sealed[table] = await this.dataSource.transaction(work);
    };
    await count('households', (manager) => this.sealHouseholds(manager));
    await count('household_members', (manager) => sealLegacyColumns(manager, this.cipher, 'household_members', { name: 'name', relation: 'relation' }));
    await count('household_incomes', (manager) => sealLegacyColumns(manager, this.cipher, 'household_incomes', { note: 'note' }));
    await count('household_visits', (manager) =>
      sealLegacyColumns(manager, this.cipher, 'household_visits', { visitorName: 'visitor_name', visitorRole: 'visitor_role', notes: 'notes' }),
    );
    await count('household_attachments', (manager) => sealLegacyColumns(manager, this.cipher, 'household_attachments', { fileName: 'file_name' }));
    await count('household_versions', (manager) => this.sealVersions(manager));
    const total = Object.values(sealed).reduce((sum, n) => sum + n, 0);
    if (total > 0) this.logger.log(`Resident IDs typed into household files before they were sealed, now sealed: ${JSON.stringify(sealed)}`);
    return sealed;
  }

  private async sealHouseholds(manager: EntityManager): Promise<number> {
    const rows: HouseholdRow[] = await manager.query(
      `SELECT ${HOUSEHOLD_COLUMNS} FROM households WHERE concat_ws(' ', ${HOUSEHOLD_TEXT_COLUMNS.join(', ')}) ~ $1 FOR UPDATE SKIP LOCKED`,
      [MAY_HOLD_AN_ID],
    );
    let sealed = 0;
    for (const row of rows) {
      const current = sealedRow(row);
      const next = sealStrings(Object.fromEntries(HOUSEHOLD_TEXT_COLUMNS.map((column) => [column, current[column]])) as Pick<typeof current, (typeof HOUSEHOLD_TEXT_COLUMNS)[number]>, [], this.cipher);
      if (sealedIdsIn(next).length === sealedIdsIn(row.sealed_text).length) continue;
      const text = shownColumns(next);
      await manager.query(
        `UPDATE households SET head_name = $2, address = $3, paired_unit = $4, responsible_person = $5, volunteers = $6, plan_summary = $7, sealed_text = $8 WHERE id = $1`,
        [row.id, text.head_name, text.address, text.paired_unit, text.responsible_person, JSON.stringify(text.volunteers), text.plan_summary, text.sealed_text],
      );
      sealed += 1;
    }
    return sealed;
  }

  /** The version log keeps old values nothing else has: their IDs are sealed in place (the API shows them masked). */
  private async sealVersions(manager: EntityManager): Promise<number> {
    const rows: { household_id: string; version: number; changes: FileChange[] }[] = await manager.query(
      `SELECT household_id, version, changes FROM household_versions WHERE changes::text ~ $1 FOR UPDATE SKIP LOCKED`,
      [MAY_HOLD_AN_ID],
    );
    let sealed = 0;
    for (const row of rows) {
      const changes = row.changes.map((change) => ({ ...change, from: sealStrings(change.from, [], this.cipher), to: sealStrings(change.to, [], this.cipher) }));
      if (sealedIdsIn(changes).length === sealedIdsIn(row.changes).length) continue;
      await manager.query(`UPDATE household_versions SET changes = $3 WHERE household_id = $1 AND version = $2`, [row.household_id, row.version, JSON.stringify(changes)]);
      sealed += 1;
    }
    return sealed;
  }
}

/**
 * Seals what may be legacy free text in `table`'s `columns` (the sealed part's key → the
 * column), inside the caller's transaction: each row that may hold an ID is locked, its
 * values sealed (those already sealed stay), and written back masked with its sealed part
 * when an ID was found. Returns the rows written.
 */
export async function sealLegacyColumns(manager: EntityManager, cipher: ResidentIdSealer, table: string, columns: Record<string, string>): Promise<number> {
  const names = Object.values(columns);
  const rows: Record<string, unknown>[] = await manager.query(
    `SELECT id, sealed_text, ${names.join(', ')} FROM ${table} WHERE concat_ws(' ', ${names.join(', ')}) ~ $1 FOR UPDATE SKIP LOCKED`,
    [MAY_HOLD_AN_ID],
  );
  let sealed = 0;
  for (const row of rows) {
    const texts = sealStrings(withSealedPart(Object.fromEntries(Object.entries(columns).map(([key, column]) => [key, row[column]])), row.sealed_text), [], cipher);
    if (sealedIdsIn(texts).length === sealedIdsIn(row.sealed_text).length) continue;
    const shown = presentResidentIds(texts) as Record<string, unknown>;
    await manager.query(`UPDATE ${table} SET ${names.map((column, i) => `${column} = $${i + 2}`).join(', ')}, sealed_text = $${names.length + 2} WHERE id = $1`, [
      row.id,
      ...Object.keys(columns).map((key) => shown[key]),
      sealedPart(texts),
    ]);
    sealed += 1;
  }
  return sealed;
}

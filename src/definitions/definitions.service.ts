import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { canonicalJson } from '../common/canonical-json.js';
import { diffDefinitions } from '../engine/definition-diff.js';
import { preparedQuery } from '../database/prepared-query.js';
import { formatIssue, loadDefinitions } from '../engine/definition-validator.js';
import { migratedDefinitionIds, type DefinitionLookup, type RecordedEvent } from '../engine/history-replay.js';
import type { Role, WorkflowDefinition } from '../engine/workflow-definition.js';
import { compileWorkflow, type CompiledWorkflow } from '../engine/workflow-machine.js';
import { readDefinitionSource, withVersion, type SourceFormat } from './definition-formats.js';
import { inJsonbKeyOrder, keyOrderVerdict } from './definition-key-order.js';
import { workflowTaskSteps, type WorkflowTaskSteps } from './workflow-task-steps.js';
import { DefinitionException, DefinitionExceptionCode, versionNotFound, workflowNotFound } from './definition.exception.js';

export interface PublishedDefinition {
  id: string;
  key: string;
  version: number;
  compiled: CompiledWorkflow;
}

interface DefinitionRow {
  id: string;
  key: string;
  version: number;
  definition: WorkflowDefinition;
}

/** A stored version with its text, as the admin routes and the export show it. */
export interface StoredVersion {
  id: string;
  key: string;
  version: number;
  status: 'published' | 'deprecated';
  label: string;
  definition: WorkflowDefinition;
  source: string;
  sourceFormat: string;
  checksum: string;
  publishedAt: Date;
  cases: number;
  running: number;
}

/** The newest version of each workflow, when it is published (a deprecated newest version takes no new cases). */
const NEWEST_PUBLISHED_SQL = `SELECT id, key, version, definition
   FROM (SELECT DISTINCT ON (key) id, key, version, status, definition FROM workflow_definitions ORDER BY key, version DESC) newest
  WHERE status = 'published' ORDER BY key`;

/** Where the shipped definition files live; WORKFLOWS_DIR overrides it (tests, packaging). */
export function workflowsDirectory(): string {
  return resolve(process.env.WORKFLOWS_DIR ?? join(process.cwd(), 'workflows'));
}

/** Identifies a definition's content whatever the key order or layout of its text. */
export function definitionChecksum(definition: WorkflowDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

/**
 * Published workflow versions. Rows are immutable: a case keeps the definition id it
 * started with, so a new version changes nothing for the cases already under way.
 * Compiled machines are cached by id for the life of the process for that reason. The only
 * thing that changes on a version is its status: `published` → `deprecated`, and back.
 */
@Injectable()
export class DefinitionsService implements OnModuleInit {
  private readonly logger = new Logger(DefinitionsService.name);
  private readonly compiled = new Map<string, PublishedDefinition>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.restoreKeyOrder();
    await this.loadDirectory(workflowsDirectory());
  }

  /**
   * Gives versions stored while the column was jsonb (src/definitions/definition-key-order.ts)
   * their author's key order back — the order forms show fields in — from their own stored
   * source, read again. Only when the content read equals the stored one (canonical JSON, the
   * checksum's), so no checksum, hash or behaviour changes; the UPDATE checks the checksum
   * again and is audited (`definition.key-order-restored`, by the system). Runs before anything
   * is compiled and cached; another process doing the same at once writes the same value and
   * is not audited twice (its UPDATE finds the text changed and changes nothing). A row
   * whose source no longer reads as its content keeps its order, with a warning.
   */
  async restoreKeyOrder(): Promise<number> {
    const rows: { id: string; key: string; version: number; definition: WorkflowDefinition; text: string; source: string; sourceFormat: SourceFormat; checksum: string }[] =
      await this.dataSource.query(
        `SELECT id, key, version, definition, definition::text AS text, source, source_format AS "sourceFormat", checksum
           FROM workflow_definitions ORDER BY key, version`,
      );
    let restored = 0;
    for (const row of rows.filter((r) => inJsonbKeyOrder(r.definition))) {
      const { definition: fromSource } = await readDefinitionSource(row.source, row.sourceFormat, `${row.key}@${row.version}`);
      const verdict = fromSource ? keyOrderVerdict(row.definition, fromSource, row.version) : ({ restore: false, reason: 'different-content' } as const);
      if (!verdict.restore) {
        if (verdict.reason === 'different-content') {
          this.logger.warn(`${row.key}@${row.version}: its stored source no longer reads as its definition; its key order (and its forms' field order) stays as stored`);
        }
        continue;
      }
      const changed = await this.dataSource.transaction(async (manager) => {
        // The text as read: not restored meanwhile by another process starting at once.
        const [, count] = (await manager.query(`UPDATE workflow_definitions SET definition = $2 WHERE id = $1 AND checksum = $3 AND definition::text = $4`, [
          row.id,
          verdict.definition,
          row.checksum,
          row.text,
        ])) as [unknown[], number];
        if (count === 0) return false;
        await this.audit.record(
          {
            kind: 'definition.key-order-restored',
            actor: null,
            targetType: 'workflow',
            targetId: `${row.key}@${row.version}`,
            details: { key: row.key, version: row.version, definitionId: row.id, checksum: row.checksum },
          },
          manager,
        );
        return true;
      });
      if (changed) restored += 1;
    }
    if (restored > 0) this.logger.log(`Workflow versions given their author's key order back from their sources: ${restored}`);
    return restored;
  }

  /**
   * The files are the published baseline. Validates every file first, so one broken file
   * publishes nothing and stops start-up with every error. An `openCase` may name a
   * workflow being loaded or one already published. A file older than the database's
   * newest version of its key is skipped: the administrators published after it, and their
   * version wins (export it to bring the file up to date). The same version with other
   * content still stops start-up (publish() refuses it).
   */
  async loadDirectory(directory: string): Promise<PublishedDefinition[]> {
    const files = (await readdir(directory)).filter((f) => ['.yaml', '.yml', '.json'].includes(extname(f))).sort();
    const sources: { file: string; source: string; format: 'yaml' | 'json' }[] = [];
    for (const file of files) {
      sources.push({ file: `workflows/${file}`, source: await readFile(join(directory, file), 'utf8'), format: extname(file) === '.json' ? 'json' : 'yaml' });
    }
    const loaded: { definition: WorkflowDefinition; source: string; format: string }[] = [];
    const problems: string[] = [];
    // Validated together: a call step or an `openCase` may name any workflow of the directory,
    // or one already published that takes new cases.
    for (const [index, { definition, issues }] of loadDefinitions(sources, { workflowDefinitions: await this.startableDefinitions() }).entries()) {
      problems.push(...issues.filter((i) => i.severity === 'error').map(formatIssue));
      if (definition) loaded.push({ definition, source: sources[index].source, format: sources[index].format });
    }
    if (problems.length > 0) {
      throw new DefinitionException(`Invalid workflow definitions:\n${problems.join('\n')}`, DefinitionExceptionCode.INVALID_DEFINITION, { issues: problems });
    }
    const published = [];
    for (const item of loaded) {
      const { key, version } = item.definition;
      const [stored]: { newest: number | null; same: boolean }[] = await this.dataSource.query(
        `SELECT max(version) AS newest, bool_or(version = $2) AS same FROM workflow_definitions WHERE key = $1`,
        [key, version],
      );
      if (stored.newest !== null && version < stored.newest && !stored.same) {
        this.logger.warn(`workflows/${key}: the file holds version ${version}; version ${stored.newest} in the database is newer and stays in force`);
        continue;
      }
      published.push(await this.publish(item.definition, item.source, item.format));
    }
    this.logger.log(`Workflows loaded: ${published.map((p) => `${p.key}@${p.version}`).join(', ')}`);
    return published;
  }

  /**
   * Stores a validated definition as an immutable version, with the version number it
   * carries (the files). Publishing the same content again is a no-op (several processes
   * start at once); different content under an existing version is refused, since cases
   * pinned to that version would silently change. A version actually published is audited
   * (`definition.published`, by the system: no actor) in the same transaction as its row.
   */
  async publish(definition: WorkflowDefinition, source: string, format: string): Promise<PublishedDefinition> {
    const checksum = definitionChecksum(definition);
    await this.dataSource.transaction((manager) => this.insertVersion(manager, definition, source, format, null, {}));
    const [row] = await this.dataSource.query(
      `SELECT id, key, version, definition, checksum FROM workflow_definitions WHERE key = $1 AND version = $2`,
      [definition.key, definition.version],
    );
    if (row.checksum !== checksum) {
      throw new DefinitionException(
        `Workflow '${definition.key}' version ${definition.version} is already published with different content; raise its version`,
        DefinitionExceptionCode.VERSION_CHANGED,
        { workflow: definition.key, version: definition.version },
      );
    }
    if (JSON.stringify(row.definition) !== JSON.stringify(definition)) {
      // Same content, keys in another order: the order is what forms show, but a published
      // version never changes, so the stored one (its own source's) stays.
      this.logger.warn(
        `${definition.key}@${definition.version}: the file orders its steps, actions or fields differently from the published version, whose order stays; raise the version to publish the new order`,
      );
    }
    return this.remember(row);
  }

  /**
   * Publishes a definition as the key's next version (newest + 1), inside the caller's
   * transaction: the number the draft carries is replaced in its text and its definition, so
   * the stored source, the definition and an exported file agree. The caller holds the lock
   * that serialises publishing of the key (the draft row).
   */
  async publishNext(
    manager: EntityManager,
    draft: { definition: WorkflowDefinition; source: string; format: SourceFormat },
    actor: AuthUser,
    details: Record<string, unknown>,
  ): Promise<PublishedDefinition> {
    const { key } = draft.definition;
    const [{ newest }]: { newest: number | null }[] = await manager.query(`SELECT max(version) AS newest FROM workflow_definitions WHERE key = $1`, [key]);
    const version = (newest ?? 0) + 1;
    const definition = { ...draft.definition, version };
    const source = withVersion(draft.source, draft.format, draft.definition, version);
    const id = await this.insertVersion(manager, definition, source, draft.format, actor, details);
    if (!id) {
      // Another publish of the key (a process loading its files) took the number first.
      throw new DefinitionException(`Workflow '${key}' version ${version} was published meanwhile; publish again`, DefinitionExceptionCode.VERSION_CHANGED, { workflow: key, version });
    }
    return this.remember({ id, key, version, definition });
  }

  /** Inserts a version and audits it; undefined when (key, version) exists already. */
  private async insertVersion(
    manager: EntityManager,
    definition: WorkflowDefinition,
    source: string,
    format: string,
    actor: AuthUser | null,
    details: Record<string, unknown>,
  ): Promise<string | undefined> {
    const checksum = definitionChecksum(definition);
    const inserted = (await manager.query(
      `INSERT INTO workflow_definitions (key, version, label, definition, source, source_format, checksum, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'published') ON CONFLICT (key, version) DO NOTHING RETURNING id`,
      [definition.key, definition.version, definition.label, definition, source, format, checksum],
    )) as Array<{ id: string }>;
    if (inserted.length === 0) return undefined;
    await this.audit.record(
      {
        kind: 'definition.published',
        actor,
        targetType: 'workflow',
        targetId: `${definition.key}@${definition.version}`,
        details: { key: definition.key, version: definition.version, definitionId: inserted[0].id, checksum, ...details },
      },
      manager,
    );
    return inserted[0].id;
  }

  /**
   * The version new cases start on: the newest one. When it is deprecated the workflow
   * takes no new cases (422 WORKFLOW_DEPRECATED) — an older published version is not
   * silently used instead: deprecating the newest version retires the procedure until it is
   * restored or a new version is published.
   */
  async latest(key: string, manager?: EntityManager): Promise<PublishedDefinition> {
    // On every case start: a prepared statement. The definition JSON is read only when
    // this process has not compiled that version yet.
    const {
      rows: [latest],
    } = await preparedQuery<{ id: string; version: number; status: string }>(
      // Inside the caller's transaction when there is one: see CalendarService.current.
      manager ?? this.dataSource.manager,
      'definition-newest',
      `SELECT id, version, status FROM workflow_definitions WHERE key = $1 ORDER BY version DESC LIMIT 1`,
      [key],
    );
    if (!latest) throw workflowNotFound(key);
    if (latest.status === 'deprecated') {
      throw new DefinitionException(
        `Workflow '${key}' takes no new cases: its newest version ${latest.version} is deprecated. Cases already running continue; an administrator restores it or publishes a new version to start cases again`,
        DefinitionExceptionCode.WORKFLOW_DEPRECATED,
        { workflow: key, version: latest.version },
      );
    }
    return this.compiled.get(latest.id) ?? this.byId(latest.id, manager);
  }

  /** A version by its number; 404 when the workflow has no such version. */
  async version(key: string, version: number): Promise<PublishedDefinition> {
    const [row] = await this.dataSource.query(`SELECT id, key, version, definition FROM workflow_definitions WHERE key = $1 AND version = $2`, [key, version]);
    if (!row) throw versionNotFound(key, version);
    return this.compiled.get(row.id) ?? this.remember(row);
  }

  /** A version with its text, status and how many cases it has (the newest when `version` is undefined). */
  async stored(key: string, version?: number): Promise<StoredVersion> {
    const rows: (Omit<StoredVersion, 'cases' | 'running'> & { cases: string; running: string })[] = await this.dataSource.query(
      `SELECT d.id, d.key, d.version, d.status, d.label, d.definition, d.source, d.source_format AS "sourceFormat", d.checksum,
              d.created_at AS "publishedAt",
              (SELECT count(*) FROM cases c WHERE c.definition_id = d.id) AS cases,
              (SELECT count(*) FROM cases c WHERE c.definition_id = d.id AND c.snapshot->>'status' = 'active') AS running
         FROM workflow_definitions d
        WHERE d.key = $1 AND ($2::int IS NULL OR d.version = $2)
        ORDER BY d.version DESC LIMIT 1`,
      [key, version ?? null],
    );
    if (rows.length === 0) throw version === undefined ? workflowNotFound(key) : versionNotFound(key, version);
    const row = rows[0];
    return { ...row, cases: Number(row.cases), running: Number(row.running) };
  }

  /**
   * Deprecates a version: no new case starts on it (when it is the newest, the workflow
   * takes no new cases at all); cases running on it continue to the end. Audited.
   */
  deprecate(user: AuthUser, key: string, version: number): Promise<StoredVersion> {
    return this.changeStatus(user, key, version, 'deprecated');
  }

  /**
   * Undoes a deprecation: the version is published again, so new cases start on it when it
   * is the newest, and cases may be migrated onto it. 409 unless it is deprecated. Audited.
   */
  restore(user: AuthUser, key: string, version: number): Promise<StoredVersion> {
    return this.changeStatus(user, key, version, 'published');
  }

  /** A version's status, the one thing about it that changes, with its audit row in the same transaction (the row locked). */
  private async changeStatus(user: AuthUser, key: string, version: number, status: 'published' | 'deprecated'): Promise<StoredVersion> {
    await this.dataSource.transaction(async (manager) => {
      const [row]: { id: string; status: string }[] = await manager.query(
        `SELECT id, status FROM workflow_definitions WHERE key = $1 AND version = $2 FOR UPDATE`,
        [key, version],
      );
      if (!row) throw versionNotFound(key, version);
      if (row.status === status) {
        throw status === 'deprecated'
          ? new DefinitionException(`Workflow '${key}' version ${version} is already deprecated`, DefinitionExceptionCode.ALREADY_DEPRECATED, { workflow: key, version })
          : new DefinitionException(`Workflow '${key}' version ${version} is not deprecated: there is nothing to restore`, DefinitionExceptionCode.NOT_DEPRECATED, {
              workflow: key,
              version,
            });
      }
      await manager.query(`UPDATE workflow_definitions SET status = $2 WHERE id = $1`, [row.id, status]);
      const [{ running }]: { running: string }[] = await manager.query(
        `SELECT count(*) AS running FROM cases WHERE definition_id = $1 AND snapshot->>'status' = 'active'`,
        [row.id],
      );
      await this.audit.record(
        {
          kind: status === 'deprecated' ? 'definition.deprecated' : 'definition.restored',
          actor: user,
          targetType: 'workflow',
          targetId: `${key}@${version}`,
          details: { key, version, definitionId: row.id, runningCases: Number(running) },
        },
        manager,
      );
    });
    return this.stored(key, version);
  }

  /**
   * The newest definition of each workflow that takes new cases (its newest version is
   * published): what a call step or an `openCase` may name, and the start forms a call's
   * input is checked against.
   */
  async startableDefinitions(manager?: EntityManager): Promise<Map<string, WorkflowDefinition>> {
    const rows: { key: string; definition: WorkflowDefinition }[] = await (manager ?? this.dataSource.manager).query(NEWEST_PUBLISHED_SQL);
    return new Map(rows.map((r) => [r.key, r.definition]));
  }

  /** The same versions compiled, by key: what new cases start on (`GET /api/workflows/startable`). */
  async newestPublished(): Promise<PublishedDefinition[]> {
    const rows: DefinitionRow[] = await this.dataSource.query(NEWEST_PUBLISHED_SQL);
    return rows.map((row) => this.compiled.get(row.id) ?? this.remember(row));
  }

  /**
   * The steps tasks of `roles` can be in, per workflow, keys and labels only (see
   * workflow-task-steps.ts): for the inbox's step filter. Read from each key's newest version
   * and from the older versions that still have running cases.
   */
  async taskSteps(roles: readonly Role[]): Promise<WorkflowTaskSteps[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT d.id FROM workflow_definitions d
        WHERE d.version = (SELECT max(n.version) FROM workflow_definitions n WHERE n.key = d.key)
           OR EXISTS (SELECT 1 FROM cases c WHERE c.definition_id = d.id AND c.snapshot->>'status' = 'active')
        ORDER BY d.key, d.version DESC`,
    );
    const versions: CompiledWorkflow[] = [];
    for (const { id } of rows) versions.push((await this.byId(id)).compiled);
    return workflowTaskSteps(versions, roles);
  }

  /** What changed from one version to another, in words (src/engine/definition-diff.ts). */
  async diff(key: string, from: number, to: number) {
    const [before, after] = await Promise.all([this.version(key, from), this.version(key, to)]);
    return { workflow: key, from, to, changes: diffDefinitions(before.compiled.definition, after.compiled.definition) };
  }

  /** The exact version a case is pinned to. */
  async byId(id: string, manager?: EntityManager): Promise<PublishedDefinition> {
    const cached = this.compiled.get(id);
    if (cached) return cached;
    const [row] = await (manager ?? this.dataSource.manager).query(`SELECT id, key, version, definition FROM workflow_definitions WHERE id = $1`, [id]);
    if (!row) throw new DefinitionException(`Workflow version ${id} does not exist`, DefinitionExceptionCode.WORKFLOW_NOT_FOUND);
    return this.remember(row);
  }

  /**
   * The versions a case's history was replayed on: a migrated case changed version at each
   * `definition`/`migrated` event (src/engine/history-replay.ts).
   */
  async lookupFor(events: RecordedEvent[], manager?: EntityManager): Promise<DefinitionLookup> {
    const byId = new Map<string, CompiledWorkflow>();
    for (const id of migratedDefinitionIds(events)) byId.set(id, (await this.byId(id, manager)).compiled);
    return (id) => byId.get(id);
  }

  /**
   * Every workflow with its versions (status, and how many cases run on each). With
   * `drafts`, for administrators, the draft of each key too — and the keys that so far have
   * a draft only.
   */
  async list(drafts = false): Promise<WorkflowSummary[]> {
    const rows: { key: string; version: number; label: string; label_en: string | null; status: string; created_at: Date; cases: string; running: string }[] =
      await this.dataSource.query(
        `SELECT d.key, d.version, d.label, d.definition->>'labelEn' AS label_en, d.status, d.created_at,
                count(c.id) AS cases, count(c.id) FILTER (WHERE c.snapshot->>'status' = 'active') AS running
           FROM workflow_definitions d LEFT JOIN cases c ON c.definition_id = d.id
          GROUP BY d.id ORDER BY d.key, d.version`,
      );
    const byKey = new Map<string, WorkflowSummary>();
    for (const row of rows) {
      const summary = byKey.get(row.key) ?? { key: row.key, label: row.label, labelEn: row.label_en, latestVersion: row.version, acceptsNewCases: false, versions: [] };
      summary.label = row.label;
      summary.labelEn = row.label_en;
      summary.latestVersion = Math.max(summary.latestVersion ?? 0, row.version);
      // Rows come in version order: the last one decides.
      summary.acceptsNewCases = row.status === 'published';
      summary.versions.push({ version: row.version, status: row.status, publishedAt: row.created_at, cases: Number(row.cases), running: Number(row.running) });
      byKey.set(row.key, summary);
    }
    if (drafts) {
      const draftRows: { key: string; status: DraftStatus; updated_at: Date }[] = await this.dataSource.query(
        `SELECT key, CASE WHEN validated_checksum = checksum THEN 'validated' ELSE 'draft' END AS status, updated_at
           FROM workflow_drafts ORDER BY key`,
      );
      for (const draft of draftRows) {
        const summary = byKey.get(draft.key) ?? { key: draft.key, label: draft.key, labelEn: null, latestVersion: null, acceptsNewCases: false, versions: [] };
        summary.draft = { status: draft.status, updatedAt: draft.updated_at };
        byKey.set(draft.key, summary);
      }
      for (const summary of byKey.values()) summary.draft ??= null;
    }
    return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
  }

  private remember(row: DefinitionRow): PublishedDefinition {
    const published = { id: row.id, key: row.key, version: row.version, compiled: compileWorkflow(row.definition) };
    this.compiled.set(row.id, published);
    return published;
  }
}

export type DraftStatus = 'draft' | 'validated';

export interface WorkflowSummary {
  key: string;
  label: string;
  labelEn: string | null;
  /** Null for a workflow that so far only has a draft. */
  latestVersion: number | null;
  /** The newest version is published (not deprecated): new cases can start. */
  acceptsNewCases: boolean;
  versions: { version: number; status: string; publishedAt: Date; cases: number; running: number }[];
  /** Administrators only: the key's draft, if any. */
  draft?: { status: DraftStatus; updatedAt: Date } | null;
}

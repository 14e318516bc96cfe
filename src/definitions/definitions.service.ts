import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { HttpStatus, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { canonicalJson } from '../common/canonical-json.js';
import { diffDefinitions } from '../engine/definition-diff.js';
import { preparedQuery } from '../database/prepared-query.js';
import { formatIssue, loadDefinitions } from '../engine/definition-validator.js';
import type { WorkflowDefinition } from '../engine/workflow-definition.js';
import { compileWorkflow, type CompiledWorkflow } from '../engine/workflow-machine.js';
import { DefinitionException, DefinitionExceptionCode, workflowNotFound } from './definition.exception.js';

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

/** Where the shipped definition files live; WORKFLOWS_DIR overrides it (tests, packaging). */
export function workflowsDirectory(): string {
  return resolve(process.env.WORKFLOWS_DIR ?? join(process.cwd(), 'workflows'));
}

/**
 * Published workflow versions. Rows are immutable: a case keeps the definition id it
 * started with, so a new version changes nothing for the cases already under way.
 * Compiled machines are cached by id for the life of the process for that reason.
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
    await this.loadDirectory(workflowsDirectory());
  }

  /** Validates every file first, so one broken file publishes nothing and stops start-up with every error. */
  async loadDirectory(directory: string): Promise<PublishedDefinition[]> {
    const files = (await readdir(directory)).filter((f) => ['.yaml', '.yml', '.json'].includes(extname(f))).sort();
    const loaded: { definition: WorkflowDefinition; source: string; format: string }[] = [];
    const problems: string[] = [];
    const sources = [];
    for (const file of files) {
      sources.push({ source: await readFile(join(directory, file), 'utf8'), file: `workflows/${file}`, format: extname(file) === '.json' ? ('json' as const) : ('yaml' as const) });
    }
    // Validated together: a call step may name any workflow of the directory.
    for (const [index, { definition, issues }] of loadDefinitions(sources).entries()) {
      problems.push(...issues.filter((i) => i.severity === 'error').map(formatIssue));
      if (definition) loaded.push({ definition, source: sources[index].source, format: sources[index].format });
    }
    if (problems.length > 0) {
      throw new DefinitionException(`Invalid workflow definitions:\n${problems.join('\n')}`, DefinitionExceptionCode.INVALID_DEFINITION, HttpStatus.UNPROCESSABLE_ENTITY, { issues: problems });
    }
    const published = [];
    for (const item of loaded) published.push(await this.publish(item.definition, item.source, item.format));
    this.logger.log(`Workflows loaded: ${published.map((p) => `${p.key}@${p.version}`).join(', ')}`);
    return published;
  }

  /**
   * Stores a validated definition as an immutable version. Publishing the same content
   * again is a no-op (several processes start at once); different content under an existing
   * version is refused, since cases pinned to that version would silently change. A version
   * actually published is audited (`definition.published`, by the system: no actor) in the
   * same transaction as its row.
   */
  async publish(definition: WorkflowDefinition, source: string, format: string): Promise<PublishedDefinition> {
    const checksum = createHash('sha256').update(canonicalJson(definition)).digest('hex');
    await this.dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO workflow_definitions (key, version, label, definition, source, source_format, checksum, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'published') ON CONFLICT (key, version) DO NOTHING RETURNING id`,
        [definition.key, definition.version, definition.label, definition, source, format, checksum],
      )) as Array<{ id: string }>;
      if (inserted.length === 0) return;
      await this.audit.record(
        {
          kind: 'definition.published',
          actor: null,
          targetType: 'workflow',
          targetId: `${definition.key}@${definition.version}`,
          details: { key: definition.key, version: definition.version, definitionId: inserted[0].id, checksum },
        },
        manager,
      );
    });
    const [row] = await this.dataSource.query(
      `SELECT id, key, version, definition, checksum FROM workflow_definitions WHERE key = $1 AND version = $2`,
      [definition.key, definition.version],
    );
    if (row.checksum !== checksum) {
      throw new DefinitionException(
        `Workflow '${definition.key}' version ${definition.version} is already published with different content; raise its version`,
        DefinitionExceptionCode.VERSION_CHANGED,
        HttpStatus.CONFLICT,
        { workflow: definition.key, version: definition.version },
      );
    }
    return this.remember(row);
  }

  /** The newest published version: the one new cases start on. */
  async latest(key: string, manager?: EntityManager): Promise<PublishedDefinition> {
    // On every case start: a prepared statement. The definition JSON is read only when
    // this process has not compiled that version yet.
    const {
      rows: [latest],
    } = await preparedQuery<{ id: string }>(
      // Inside the caller's transaction when there is one: see CalendarService.current.
      manager ?? this.dataSource.manager,
      'definition-latest',
      `SELECT id FROM workflow_definitions WHERE key = $1 AND status = 'published' ORDER BY version DESC LIMIT 1`,
      [key],
    );
    const cached = latest && this.compiled.get(latest.id);
    if (cached) return cached;
    const [row] = await (manager ?? this.dataSource.manager).query(
      `SELECT id, key, version, definition FROM workflow_definitions
        WHERE key = $1 AND status = 'published' ORDER BY version DESC LIMIT 1`,
      [key],
    );
    if (!row) throw workflowNotFound(key);
    return this.compiled.get(row.id) ?? this.remember(row);
  }

  /** A version by its number; 404 when the workflow has no such version. */
  async version(key: string, version: number): Promise<PublishedDefinition> {
    const [row] = await this.dataSource.query(`SELECT id, key, version, definition FROM workflow_definitions WHERE key = $1 AND version = $2`, [key, version]);
    if (!row) {
      throw new DefinitionException(`Workflow '${key}' has no version ${version}`, DefinitionExceptionCode.WORKFLOW_NOT_FOUND, HttpStatus.NOT_FOUND, { workflow: key, version });
    }
    return this.compiled.get(row.id) ?? this.remember(row);
  }

  /** What changed from one version to another, in words (src/engine/definition-diff.ts). */
  async diff(key: string, from: number, to: number) {
    const [before, after] = await Promise.all([this.version(key, from), this.version(key, to)]);
    return { workflow: key, from, to, changes: diffDefinitions(before.compiled.definition, after.compiled.definition) };
  }

  /** The exact version a case is pinned to. */
  async byId(id: string): Promise<PublishedDefinition> {
    const cached = this.compiled.get(id);
    if (cached) return cached;
    const [row] = await this.dataSource.query(`SELECT id, key, version, definition FROM workflow_definitions WHERE id = $1`, [id]);
    if (!row) throw new DefinitionException(`Workflow version ${id} does not exist`, DefinitionExceptionCode.WORKFLOW_NOT_FOUND, HttpStatus.NOT_FOUND);
    return this.remember(row);
  }

  /** Every workflow with its versions and how many cases run on each. */
  async list(): Promise<WorkflowSummary[]> {
    const rows: { key: string; version: number; label: string; label_en: string | null; status: string; created_at: Date; cases: string; running: string }[] =
      await this.dataSource.query(
        `SELECT d.key, d.version, d.label, d.definition->>'labelEn' AS label_en, d.status, d.created_at,
                count(c.id) AS cases, count(c.id) FILTER (WHERE c.snapshot->>'status' = 'active') AS running
           FROM workflow_definitions d LEFT JOIN cases c ON c.definition_id = d.id
          GROUP BY d.id ORDER BY d.key, d.version`,
      );
    const byKey = new Map<string, WorkflowSummary>();
    for (const row of rows) {
      const summary = byKey.get(row.key) ?? { key: row.key, label: row.label, labelEn: row.label_en, latestVersion: row.version, versions: [] };
      summary.label = row.label;
      summary.labelEn = row.label_en;
      summary.latestVersion = Math.max(summary.latestVersion, row.version);
      summary.versions.push({ version: row.version, status: row.status, publishedAt: row.created_at, cases: Number(row.cases), running: Number(row.running) });
      byKey.set(row.key, summary);
    }
    return [...byKey.values()];
  }

  private remember(row: DefinitionRow): PublishedDefinition {
    const published = { id: row.id, key: row.key, version: row.version, compiled: compileWorkflow(row.definition) };
    this.compiled.set(row.id, published);
    return published;
  }
}

export interface WorkflowSummary {
  key: string;
  label: string;
  labelEn: string | null;
  latestVersion: number;
  versions: { version: number; status: string; publishedAt: Date; cases: number; running: number }[];
}

import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Injectable,
  Param,
  ParseIntPipe,
  Post,
  Put,
  Query,
  Res,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type PipeTransform,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedRequest, AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { uuid } from '../cases/cases.controller.js';
import { WORKFLOW_KEY_PATTERN } from '../engine/definition-schema.js';
import { JIANGMEN_CODE } from '../org/jurisdiction-loader.js';
import { CaseMigrationService } from './case-migration.service.js';
import { contentType, exportSource, fileExtension } from './definition-formats.js';
import { DefinitionDraftsService } from './definition-drafts.service.js';
import { DefinitionException, DefinitionExceptionCode } from './definition.exception.js';
import { DefinitionsService } from './definitions.service.js';
import { MigrationRunsService } from './migration-runs.service.js';
import { ExportQueryDto, MigrationDto, SaveDraftDto, WhatIfDto } from './dto/definition-admin.dto.js';
import { WhatIfService } from './what-if.service.js';

const KEY = new RegExp(WORKFLOW_KEY_PATTERN);

/** A `:key` that is not a workflow key is a 400, before any lookup. */
class WorkflowKeyPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!KEY.test(value)) {
      throw new DefinitionException(`'${value.slice(0, 64)}' is not a workflow key (e.g. poverty-entry)`, DefinitionExceptionCode.INVALID_WORKFLOW_KEY);
    }
    return value;
  }
}

/**
 * A definition applies to every county, so changing one (and the cases on it) is for the
 * administrators bound to the city; a county administrator manages users and nodes only.
 * After the global guards (token, @Roles), before the body is validated.
 */
@Injectable()
class CityAdministratorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (user?.jurisdictionCode !== JIANGMEN_CODE) {
      throw new DefinitionException('Workflow definitions are administered at city level', DefinitionExceptionCode.CITY_ADMINISTRATOR_REQUIRED, {
        jurisdictionCode: user?.jurisdictionCode ?? null,
      });
    }
    return true;
  }
}

/**
 * What administrators do with workflow definitions (issue 5): drafts (draft → validated →
 * published as the next version), deprecation and restoring, a version's text and its
 * export, migrating running cases to a newer version (a job, with its progress), and trying
 * a draft on the recorded cases (what-if).
 */
@ApiTags('workflows')
@ApiBearerAuth()
@Roles('administrator')
@UseGuards(CityAdministratorGuard)
@ApiForbiddenResponse({ description: 'Not an administrator (FORBIDDEN_ROLE), or not bound to the city (CITY_ADMINISTRATOR_REQUIRED)' })
@Controller('workflows')
export class DefinitionAdminController {
  constructor(
    private readonly definitions: DefinitionsService,
    private readonly drafts: DefinitionDraftsService,
    private readonly migrations: CaseMigrationService,
    private readonly runs: MigrationRunsService,
    private readonly whatIf: WhatIfService,
  ) {}

  @Put(':key/draft')
  @ApiOperation({ summary: 'Create or replace the draft of a workflow from YAML, JSON or BPMN 2.0 XML; it is a draft until validated' })
  saveDraft(@CurrentUser() user: AuthUser, @Param('key', WorkflowKeyPipe) key: string, @Body() body: SaveDraftDto) {
    return this.drafts.save(user, key, body.format, body.source);
  }

  @Get(':key/draft')
  @ApiOperation({ summary: 'The draft: its text, status (draft | validated) and the issues of its last validation' })
  getDraft(@Param('key', WorkflowKeyPipe) key: string) {
    return this.drafts.get(key);
  }

  @Delete(':key/draft')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Discard the draft' })
  async discardDraft(@CurrentUser() user: AuthUser, @Param('key', WorkflowKeyPipe) key: string): Promise<void> {
    await this.drafts.discard(user, key);
  }

  @Post(':key/draft/validate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Validate the draft: every error and warning with path, message, severity, line and column; without errors it becomes validated' })
  validateDraft(@CurrentUser() user: AuthUser, @Param('key', WorkflowKeyPipe) key: string) {
    return this.drafts.validate(user, key);
  }

  @Post(':key/draft/publish')
  @ApiOperation({ summary: 'Publish the validated draft as the next version (newest + 1); 409 unless validated as it stands, 422 with the issues on an error' })
  publishDraft(@CurrentUser() user: AuthUser, @Param('key', WorkflowKeyPipe) key: string) {
    return this.drafts.publish(user, key);
  }

  @Get(':key/versions/:version')
  @ApiOperation({ summary: 'A version: status, definition, source text, checksum, cases on it' })
  version(@Param('key', WorkflowKeyPipe) key: string, @Param('version', ParseIntPipe) version: number) {
    return this.definitions.stored(key, version);
  }

  @Post(':key/versions/:version/deprecate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Deprecate a version: no new case starts on it (the newest deprecated: none on the workflow); running cases continue' })
  deprecate(@CurrentUser() user: AuthUser, @Param('key', WorkflowKeyPipe) key: string, @Param('version', ParseIntPipe) version: number) {
    return this.definitions.deprecate(user, key, version);
  }

  // "restore", the inverse of "deprecate": the version is published again, as it was.
  @Post(':key/versions/:version/restore')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Undo a deprecation: the version is published again (new cases start on it when it is the newest; cases may migrate onto it); 409 NOT_DEPRECATED otherwise' })
  restore(@CurrentUser() user: AuthUser, @Param('key', WorkflowKeyPipe) key: string, @Param('version', ParseIntPipe) version: number) {
    return this.definitions.restore(user, key, version);
  }

  @Get(':key/export')
  @ApiOperation({ summary: 'A version (default: the newest) as a file to review in git or open in a BPMN modeller: YAML (default), JSON or BPMN 2.0' })
  async export(
    @Param('key', WorkflowKeyPipe) key: string,
    @Query() query: ExportQueryDto,
    @Res({ passthrough: true }) response: { setHeader(name: string, value: string): void },
  ): Promise<string> {
    const format = query.format ?? 'yaml';
    const stored = await this.definitions.stored(key, query.version);
    response.setHeader('Content-Type', contentType(format));
    response.setHeader('Content-Disposition', `attachment; filename="${key}.${fileExtension(format)}"`);
    return exportSource(stored, format);
  }

  @Post(':key/migrations')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Move running cases from one version to a newer one with a step mapping: queues a run (202) and answers it; dryRun answers at once (200) what would happen to each case and changes nothing',
    description:
      'The request is checked first (unknown versions 404, a mapping that does not fit 422: nothing queued). One run per workflow at a time: 409 MIGRATION_RUNNING while another is queued or running. Follow the run with GET …/migrations/:id.',
  })
  @ApiAcceptedResponse({ description: 'The run, queued: { id, status, counts, … }' })
  @ApiOkResponse({ description: 'dryRun: the report per case' })
  @ApiConflictResponse({ description: 'MIGRATION_RUNNING: another run of the workflow is queued or running (details.runId)' })
  async migrate(
    @CurrentUser() user: AuthUser,
    @Param('key', WorkflowKeyPipe) key: string,
    @Body() body: MigrationDto,
    @Res({ passthrough: true }) response: { status(code: number): unknown },
  ) {
    // A dry run writes nothing and reads each case once: it is answered in the request.
    if (body.dryRun !== true) return this.runs.start(user, key, body);
    const report = await this.migrations.dryRun(key, body);
    response.status(HttpStatus.OK);
    return report;
  }

  @Get(':key/migrations')
  @ApiOperation({ summary: "The workflow's migration runs, newest first (the latest 50), with their status and counts" })
  migrationRuns(@Param('key', WorkflowKeyPipe) key: string) {
    return this.runs.list(key);
  }

  @Get(':key/migrations/:id')
  @ApiOperation({ summary: 'One migration run: status, counts (pending, migrated, refused, skipped, failed), times, and the cases not moved with the reasons' })
  migrationRun(@Param('key', WorkflowKeyPipe) key: string, @Param('id', uuid) id: string) {
    return this.runs.get(key, id);
  }

  @Post(':key/what-if')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Replay cases' recorded histories on the draft: same end state, different state, refused action, overdue under the new deadlines" })
  whatIfRun(@Param('key', WorkflowKeyPipe) key: string, @Body() body: WhatIfDto) {
    return this.whatIf.run(key, body);
  }
}

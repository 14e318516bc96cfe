import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { DefinitionsService } from './definitions.service.js';
import { DefinitionDiffQueryDto } from './dto/definition-diff-query.dto.js';

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('workflows')
export class DefinitionsController {
  constructor(private readonly definitions: DefinitionsService) {}

  @Get()
  @ApiOperation({ summary: 'The workflows with their versions (published or deprecated) and how many cases run on each; administrators also see the drafts' })
  list(@CurrentUser() user: AuthUser) {
    return this.definitions.list(user.roles.includes('administrator'));
  }

  @Get('steps')
  @ApiOperation({
    summary: 'The steps your tasks can be in: every task step of each workflow with a step of one of your roles, keys and labels only',
    description: 'For the inbox step filter: [{ key, label, labelEn, steps: [{ key, label, labelEn }] }], steps in the definition’s order; from each newest version and the older versions with running cases.',
  })
  steps(@CurrentUser() user: AuthUser) {
    return this.definitions.taskSteps(user.roles);
  }

  @Get(':key/diff')
  @ApiOperation({ summary: 'What changed between two versions: steps, actions, conditions, deadlines, forms, who acts, parameters — in words' })
  diff(@Param('key') key: string, @Query() query: DefinitionDiffQueryDto) {
    return this.definitions.diff(key, query.from, query.to);
  }
}

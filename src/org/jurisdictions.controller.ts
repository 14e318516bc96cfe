import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { JURISDICTION_LEVELS } from './jurisdiction-loader.js';
import { JurisdictionsService, parseJurisdictionLevel, type JurisdictionNode } from './jurisdictions.service.js';

/** Read-only views of the tree, for any authenticated user (the tree itself is not secret). */
@ApiTags('jurisdictions')
@ApiBearerAuth()
@Controller('jurisdictions')
export class JurisdictionsController {
  constructor(private readonly jurisdictions: JurisdictionsService) {}

  @Get(':code')
  @ApiOperation({ summary: 'A jurisdiction node and its current (not retired) children' })
  @ApiBadRequestResponse({ description: 'The code is not 6, 9 or 12 digits' })
  @ApiNotFoundResponse({ description: 'No such node' })
  async get(@Param('code') code: string): Promise<JurisdictionNode & { children: JurisdictionNode[] }> {
    const node = await this.jurisdictions.require(code);
    return { ...node, children: await this.jurisdictions.children(code) };
  }

  @Get(':code/subtree')
  @ApiOperation({ summary: 'The node and every current node under it, in path order; `level` keeps one level only' })
  @ApiQuery({ name: 'level', required: false, enum: JURISDICTION_LEVELS })
  @ApiBadRequestResponse({ description: 'Malformed code or unknown level' })
  @ApiNotFoundResponse({ description: 'No such node' })
  async subtree(@Param('code') code: string, @Query('level') level?: string): Promise<JurisdictionNode[]> {
    const onlyLevel = parseJurisdictionLevel(level);
    await this.jurisdictions.require(code);
    return this.jurisdictions.subtree(code, { level: onlyLevel });
  }
}

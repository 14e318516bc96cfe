import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { clientAddress, type ClientRequest } from '../auth/client-address.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { CreateJurisdictionDto, RenameJurisdictionDto } from './dto/jurisdiction-admin.dto.js';
import { JURISDICTION_LEVELS } from './jurisdiction-loader.js';
import { JurisdictionsService, parseJurisdictionLevel, type JurisdictionNode } from './jurisdictions.service.js';

/**
 * Views of the tree for any authenticated user (the tree itself is not secret); changes by
 * administrators, inside their own jurisdiction (else 403), audited.
 */
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

  @Post()
  @Roles('administrator')
  @ApiOperation({ summary: "Add a node under a current parent inside your jurisdiction; its code nests under the parent's" })
  @ApiForbiddenResponse({ description: 'Not an administrator, or the parent is outside your jurisdiction' })
  @ApiUnprocessableEntityResponse({ description: 'Unknown or retired parent, or a code that does not nest under it' })
  @ApiConflictResponse({ description: 'The code exists, or a current sibling has the name' })
  create(@CurrentUser() admin: AuthUser, @Body() body: CreateJurisdictionDto, @Req() request: ClientRequest): Promise<JurisdictionNode> {
    return this.jurisdictions.create(body, { admin, address: clientAddress(request) });
  }

  @Patch(':code')
  @Roles('administrator')
  @ApiOperation({ summary: 'Rename a current node inside your jurisdiction' })
  @ApiForbiddenResponse({ description: 'Not an administrator, or the node is outside your jurisdiction' })
  @ApiNotFoundResponse({ description: 'No such node' })
  @ApiConflictResponse({ description: 'The node is retired, or a current sibling has the name' })
  rename(
    @CurrentUser() admin: AuthUser,
    @Param('code') code: string,
    @Body() body: RenameJurisdictionDto,
    @Req() request: ClientRequest,
  ): Promise<JurisdictionNode> {
    return this.jurisdictions.rename(code, body.name, { admin, address: clientAddress(request) });
  }

  @Post(':code/retire')
  @Roles('administrator')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Retire a node inside your jurisdiction (it stays for the cases that point at it)' })
  @ApiForbiddenResponse({ description: 'Not an administrator, or the node is outside your jurisdiction' })
  @ApiNotFoundResponse({ description: 'No such node' })
  @ApiConflictResponse({ description: 'Already retired, or it has current children or active users (details say which)' })
  retire(@CurrentUser() admin: AuthUser, @Param('code') code: string, @Req() request: ClientRequest): Promise<JurisdictionNode> {
    return this.jurisdictions.retire(code, { admin, address: clientAddress(request) });
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { forbidden } from '../common/errors/domain-error.js';
import { ArchiveDto, CreateFlagDto, ListFlagsQueryDto, UpdateFlagDto } from './dto/flag.dto.js';
import { KillDto, PatchFlagConfigDto, ReplaceFlagConfigDto, RestoreDto } from './dto/flag-config.dto.js';
import type { FlagConfigView, FlagView } from './flag.mapper.js';
import { FlagsService } from './flags.service.js';

// The guard checks a kill-switch token's projects; its environments are checked here, per call.
const assertEnvironmentInScope = (principal: Principal, environmentKey: string): void => {
  if (principal.kind === 'token' && principal.access === 'kill-switch' && principal.environments !== null && !principal.environments.includes(environmentKey)) {
    throw forbidden(`This token may not act on environment '${environmentKey}'`);
  }
};

@ApiTags('flags')
@ApiBearerAuth()
@Controller('projects/:projectKey/flags')
export class FlagsController {
  constructor(private readonly flags: FlagsService) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'Flags of a project with their config in every environment' })
  list(@Param('projectKey') projectKey: string, @Query() query: ListFlagsQueryDto): Promise<FlagView[]> {
    return this.flags.list(projectKey, query);
  }

  @Post()
  @Access('editor')
  @ApiOperation({ summary: 'Create a flag; it is off in every environment until configured' })
  create(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Body() body: CreateFlagDto): Promise<FlagView> {
    return this.flags.create(actorOf(principal), projectKey, body);
  }

  @Get(':key')
  @Access('viewer')
  get(@Param('projectKey') projectKey: string, @Param('key') key: string): Promise<FlagView> {
    return this.flags.get(projectKey, key);
  }

  @Patch(':key')
  @Access('editor')
  @ApiOperation({ summary: 'Change name, description, owner, tags, lifecycle or variants (absent = unchanged, null = cleared)' })
  update(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Param('key') key: string, @Body() body: UpdateFlagDto): Promise<FlagView> {
    return this.flags.update(actorOf(principal), projectKey, key, body);
  }

  @Post(':key/archive')
  @HttpCode(200)
  @Access('editor')
  @ApiOperation({ summary: 'Archive: SDKs stop receiving the flag (evaluations answer FLAG_NOT_FOUND)' })
  archive(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Param('key') key: string, @Body() body: ArchiveDto): Promise<FlagView> {
    return this.flags.archive(actorOf(principal), projectKey, key, body.reason);
  }

  @Post(':key/unarchive')
  @HttpCode(200)
  @Access('editor')
  unarchive(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Param('key') key: string, @Body() body: ArchiveDto): Promise<FlagView> {
    return this.flags.unarchive(actorOf(principal), projectKey, key, body.reason);
  }

  @Delete(':key')
  @HttpCode(204)
  @Access('editor')
  @ApiOperation({ summary: 'Delete an archived flag for good' })
  delete(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Param('key') key: string, @Query() query: ArchiveDto): Promise<void> {
    return this.flags.delete(actorOf(principal), projectKey, key, query.reason);
  }

  @Get(':key/environments/:environmentKey')
  @Access('viewer')
  getConfig(@Param('projectKey') projectKey: string, @Param('key') key: string, @Param('environmentKey') environmentKey: string): Promise<FlagConfigView> {
    return this.flags.getConfig(projectKey, key, environmentKey);
  }

  @Put(':key/environments/:environmentKey')
  @Access('editor')
  @ApiOperation({ summary: 'Replace the config in an environment; `version` must be the current one (else 409)' })
  replaceConfig(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Param('environmentKey') environmentKey: string,
    @Body() body: ReplaceFlagConfigDto,
  ): Promise<FlagConfigView> {
    return this.flags.replaceConfig(actorOf(principal), projectKey, key, environmentKey, body);
  }

  @Patch(':key/environments/:environmentKey')
  @Access('editor')
  @ApiOperation({ summary: 'Change parts of the config (absent = unchanged, null = cleared); `version` must be the current one' })
  patchConfig(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Param('environmentKey') environmentKey: string,
    @Body() body: PatchFlagConfigDto,
  ): Promise<FlagConfigView> {
    return this.flags.patchConfig(actorOf(principal), projectKey, key, environmentKey, body);
  }

  @Post(':key/environments/:environmentKey/kill')
  @HttpCode(200)
  @Access('kill-switch')
  @ApiOperation({ summary: 'Kill switch: serve the off variant everywhere at once, overriding rules and rollouts. Idempotent.' })
  kill(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Param('environmentKey') environmentKey: string,
    @Body() body: KillDto,
  ): Promise<FlagConfigView> {
    assertEnvironmentInScope(principal, environmentKey);
    return this.flags.kill(actorOf(principal), projectKey, key, environmentKey, body.reason);
  }

  @Post(':key/environments/:environmentKey/restore')
  @HttpCode(200)
  @Access('kill-switch')
  @ApiOperation({ summary: 'Lift a kill: the config is exactly what it was before. Idempotent.' })
  restore(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('key') key: string,
    @Param('environmentKey') environmentKey: string,
    @Body() body: RestoreDto,
  ): Promise<FlagConfigView> {
    assertEnvironmentInScope(principal, environmentKey);
    return this.flags.restore(actorOf(principal), projectKey, key, environmentKey, body.reason);
  }
}

import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { CreateEnvironmentDto, CreateProjectDto, UpdateEnvironmentDto, UpdateProjectDto } from './dto/project.dto.js';
import { type CreatedEnvironment, type EnvironmentView, ProjectsService, type ProjectView } from './projects.service.js';

@ApiTags('projects')
@ApiBearerAuth()
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Get()
  @Access('viewer')
  list(): Promise<ProjectView[]> {
    return this.projects.list();
  }

  @Post()
  @Access('admin')
  @ApiOperation({ summary: 'Create a project with its environments; each environment\'s SDK key is returned once' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateProjectDto): Promise<{ project: ProjectView; sdkKeys: Record<string, string> }> {
    return this.projects.create(actorOf(principal), body);
  }

  @Get(':projectKey')
  @Access('viewer')
  get(@Param('projectKey') projectKey: string): Promise<ProjectView> {
    return this.projects.get(projectKey);
  }

  @Patch(':projectKey')
  @Access('admin')
  update(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Body() body: UpdateProjectDto): Promise<ProjectView> {
    return this.projects.update(actorOf(principal), projectKey, body);
  }

  @Get(':projectKey/environments')
  @Access('viewer')
  async environments(@Param('projectKey') projectKey: string): Promise<EnvironmentView[]> {
    return (await this.projects.get(projectKey)).environments;
  }

  @Post(':projectKey/environments')
  @Access('admin')
  @ApiOperation({ summary: 'Create an environment: every flag is off there until configured; its SDK key is returned once' })
  createEnvironment(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Body() body: CreateEnvironmentDto): Promise<CreatedEnvironment> {
    return this.projects.createEnvironment(actorOf(principal), projectKey, body);
  }

  @Patch(':projectKey/environments/:environmentKey')
  @Access('admin')
  updateEnvironment(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('environmentKey') environmentKey: string,
    @Body() body: UpdateEnvironmentDto,
  ): Promise<EnvironmentView> {
    return this.projects.updateEnvironment(actorOf(principal), projectKey, environmentKey, body);
  }

  @Post(':projectKey/environments/:environmentKey/sdk-key')
  @Access('admin')
  @ApiOperation({ summary: 'Rotate the SDK key: returns the new key once; the old one is refused from now on' })
  rotateSdkKey(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('environmentKey') environmentKey: string,
  ): Promise<{ sdkKey: string; prefix: string }> {
    return this.projects.rotateSdkKey(actorOf(principal), projectKey, environmentKey).then(({ sdkKey, prefix }) => ({ sdkKey, prefix }));
  }
}

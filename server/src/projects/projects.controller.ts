import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { CreateEnvironmentDto, CreateProjectDto, UpdateEnvironmentDto, UpdateProjectDto } from './dto/project.dto.js';
import { CreatedEnvironmentResponse, CreatedProjectResponse, EnvironmentResponse, ProjectResponse, RotatedSdkKeyResponse } from './dto/project.response.js';
import { ProjectsService } from './projects.service.js';

@ApiTags('projects')
@ApiBearerAuth()
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'Every project, with its environments' })
  @ApiOkResponse({ type: [ProjectResponse] })
  @ApiErrors(401, 403)
  list(): Promise<ProjectResponse[]> {
    return this.projects.list();
  }

  @Post()
  @Access('admin')
  @ApiOperation({ summary: "Create a project with its environments; each environment's SDK key is returned once" })
  @ApiCreatedResponse({ type: CreatedProjectResponse })
  @ApiErrors(400, 401, 403, { status: 409, description: 'CONFLICT: the project key is taken, or an environment key is listed twice' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateProjectDto): Promise<CreatedProjectResponse> {
    return this.projects.create(actorOf(principal), body);
  }

  @Get(':projectKey')
  @Access('viewer')
  @ApiOperation({ summary: 'One project, with its environments' })
  @ApiOkResponse({ type: ProjectResponse })
  @ApiErrors(400, 401, 403, 404)
  get(@Param('projectKey') projectKey: string): Promise<ProjectResponse> {
    return this.projects.get(projectKey);
  }

  @Patch(':projectKey')
  @Access('admin')
  @ApiOperation({ summary: 'Rename or describe a project (absent = unchanged)' })
  @ApiOkResponse({ type: ProjectResponse })
  @ApiErrors(400, 401, 403, 404)
  update(@CurrentPrincipal() principal: Principal, @Param('projectKey') projectKey: string, @Body() body: UpdateProjectDto): Promise<ProjectResponse> {
    return this.projects.update(actorOf(principal), projectKey, body);
  }

  @Get(':projectKey/environments')
  @Access('viewer')
  @ApiOperation({ summary: "The project's environments" })
  @ApiOkResponse({ type: [EnvironmentResponse] })
  @ApiErrors(400, 401, 403, 404)
  async environments(@Param('projectKey') projectKey: string): Promise<EnvironmentResponse[]> {
    return (await this.projects.get(projectKey)).environments;
  }

  @Post(':projectKey/environments')
  @Access('admin')
  @ApiOperation({ summary: 'Create an environment: every flag is off there until configured; its SDK key is returned once' })
  @ApiCreatedResponse({ type: CreatedEnvironmentResponse })
  @ApiErrors(400, 401, 403, 404, { status: 409, description: 'CONFLICT: the environment key is taken in this project' })
  createEnvironment(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Body() body: CreateEnvironmentDto,
  ): Promise<CreatedEnvironmentResponse> {
    return this.projects.createEnvironment(actorOf(principal), projectKey, body);
  }

  @Patch(':projectKey/environments/:environmentKey')
  @Access('admin')
  @ApiOperation({ summary: 'Rename an environment, or change whether changes need a reason or approval (absent = unchanged)' })
  @ApiOkResponse({ type: EnvironmentResponse })
  @ApiErrors(400, 401, 403, 404)
  updateEnvironment(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('environmentKey') environmentKey: string,
    @Body() body: UpdateEnvironmentDto,
  ): Promise<EnvironmentResponse> {
    return this.projects.updateEnvironment(actorOf(principal), projectKey, environmentKey, body);
  }

  @Post(':projectKey/environments/:environmentKey/sdk-key')
  @Access('admin')
  @ApiOperation({ summary: 'Rotate the SDK key: returns the new key once; the old one is refused from now on' })
  @ApiCreatedResponse({ type: RotatedSdkKeyResponse })
  @ApiErrors(400, 401, 403, 404)
  rotateSdkKey(
    @CurrentPrincipal() principal: Principal,
    @Param('projectKey') projectKey: string,
    @Param('environmentKey') environmentKey: string,
  ): Promise<RotatedSdkKeyResponse> {
    return this.projects.rotateSdkKey(actorOf(principal), projectKey, environmentKey).then(({ sdkKey, prefix }) => ({ sdkKey, prefix }));
  }
}

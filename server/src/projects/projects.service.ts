import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { AuthService } from '../auth/auth.service.js';
import type { Actor } from '../auth/principal.js';
import { conflict, notFound } from '../common/errors/domain-error.js';
import { Database } from '../database/database.service.js';
import type { CreateEnvironmentDto, CreateProjectDto, UpdateEnvironmentDto, UpdateProjectDto } from './dto/project.dto.js';
import type { CreatedEnvironmentResponse, CreatedProjectResponse, EnvironmentResponse, ProjectResponse } from './dto/project.response.js';
import type { EnvironmentEntity } from './environment.entity.js';
import type { ProjectEntity } from './project.entity.js';
import { ProjectsRepository } from './projects.repository.js';

const DEFAULT_ENVIRONMENTS: CreateEnvironmentDto[] = [
  { key: 'development', name: 'Development' },
  { key: 'production', name: 'Production', requireChangeReason: true },
];

/** Projects and their environments (environments only exist inside a project). */
@Injectable()
export class ProjectsService {
  constructor(
    private readonly repository: ProjectsRepository,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly db: Database,
  ) {}

  async list(): Promise<ProjectResponse[]> {
    const projects = await this.repository.listProjects();
    return Promise.all(projects.map((p) => this.view(p)));
  }

  async count(): Promise<number> {
    return this.repository.countProjects();
  }

  async get(projectKey: string): Promise<ProjectResponse> {
    return this.view(await this.project(projectKey));
  }

  /** The project, or NOT_FOUND. */
  async project(projectKey: string): Promise<ProjectEntity> {
    const project = await this.repository.findProject(projectKey);
    if (!project) throw notFound('Project', projectKey);
    return project;
  }

  async environments(projectId: string): Promise<EnvironmentEntity[]> {
    return this.repository.listEnvironments(projectId);
  }

  /** The environment, or NOT_FOUND. */
  async environment(project: ProjectEntity, environmentKey: string): Promise<EnvironmentEntity> {
    const environment = await this.repository.findEnvironment(project.id, environmentKey);
    if (!environment) throw notFound('Environment', `${project.key}/${environmentKey}`);
    return environment;
  }

  async environmentById(id: string): Promise<{ environment: EnvironmentEntity; project: ProjectEntity } | null> {
    const environment = await this.repository.findEnvironmentById(id);
    if (!environment) return null;
    const project = await this.repository.findProjectById(environment.projectId);
    return project ? { environment, project } : null;
  }

  async create(actor: Actor, input: CreateProjectDto): Promise<CreatedProjectResponse> {
    const environments = input.environments ?? DEFAULT_ENVIRONMENTS;
    const duplicate = environments.find((e, i) => environments.findIndex((o) => o.key === e.key) !== i);
    if (duplicate) throw conflict(`Environment key '${duplicate.key}' is listed twice`);
    return this.db.transaction(async () => {
      if (await this.repository.findProject(input.key)) throw conflict(`A project with key '${input.key}' already exists`);
      const project = await this.repository.saveProject({ key: input.key, name: input.name, description: input.description ?? '' });
      const sdkKeys: Record<string, string> = {};
      for (const [position, env] of environments.entries()) {
        sdkKeys[env.key] = (await this.insertEnvironment(project, env, position)).sdkKey;
      }
      const view = await this.view(project);
      await this.audit.record({ actor, action: 'project.created', resourceType: 'project', resourceKey: project.key, projectKey: project.key, after: view });
      return { project: view, sdkKeys };
    });
  }

  async update(actor: Actor, projectKey: string, input: UpdateProjectDto): Promise<ProjectResponse> {
    return this.db.transaction(async () => {
      const project = await this.project(projectKey);
      const before = await this.view(project);
      if (input.name !== undefined) project.name = input.name;
      if (input.description !== undefined) project.description = input.description;
      const after = await this.view(await this.repository.saveProject(project));
      await this.audit.record({ actor, action: 'project.updated', resourceType: 'project', resourceKey: projectKey, projectKey, before, after });
      return after;
    });
  }

  async createEnvironment(actor: Actor, projectKey: string, input: CreateEnvironmentDto): Promise<CreatedEnvironmentResponse> {
    return this.db.transaction(async () => {
      const project = await this.project(projectKey);
      const existing = await this.repository.listEnvironments(project.id);
      if (existing.some((e) => e.key === input.key)) throw conflict(`Environment '${input.key}' already exists in ${projectKey}`);
      const created = await this.insertEnvironment(project, input, existing.length);
      await this.audit.record({
        actor,
        action: 'environment.created',
        resourceType: 'environment',
        resourceKey: input.key,
        projectKey,
        environmentKey: input.key,
        after: created.environment,
      });
      return created;
    });
  }

  async updateEnvironment(actor: Actor, projectKey: string, environmentKey: string, input: UpdateEnvironmentDto): Promise<EnvironmentResponse> {
    return this.db.transaction(async () => {
      const environment = await this.environment(await this.project(projectKey), environmentKey);
      const before = await this.environmentView(environment);
      if (input.name !== undefined) environment.name = input.name;
      if (input.requireChangeReason !== undefined) environment.requireChangeReason = input.requireChangeReason;
      if (input.requireApproval !== undefined) environment.requireApproval = input.requireApproval;
      if (input.requiredApprovals !== undefined) environment.requiredApprovals = input.requiredApprovals;
      const after = await this.environmentView(await this.repository.saveEnvironment(environment));
      await this.audit.record({
        actor,
        action: 'environment.updated',
        resourceType: 'environment',
        resourceKey: environmentKey,
        projectKey,
        environmentKey,
        before,
        after,
      });
      return after;
    });
  }

  /** Replaces the environment's SDK key; the old one stops working at once. */
  async rotateSdkKey(actor: Actor, projectKey: string, environmentKey: string): Promise<{ sdkKey: string; prefix: string; revokedKeyIds: string[] }> {
    return this.db.transaction(async () => {
      const environment = await this.environment(await this.project(projectKey), environmentKey);
      const issued = await this.auth.issueSdkKey(environment.id);
      await this.audit.record({
        actor,
        action: 'sdk-key.rotated',
        resourceType: 'sdk-key',
        resourceKey: environmentKey,
        projectKey,
        environmentKey,
        after: { prefix: issued.prefix },
      });
      return { sdkKey: issued.secret, prefix: issued.prefix, revokedKeyIds: issued.revokedKeyIds };
    });
  }

  private async insertEnvironment(project: ProjectEntity, input: CreateEnvironmentDto, position: number): Promise<CreatedEnvironmentResponse> {
    const environment = await this.repository.saveEnvironment({
      projectId: project.id,
      key: input.key,
      name: input.name,
      requireChangeReason: input.requireChangeReason ?? false,
      requireApproval: false,
      requiredApprovals: 1,
      position,
    });
    const issued = await this.auth.issueSdkKey(environment.id);
    return { environment: { ...(await this.environmentView(environment)), sdkKeyPrefix: issued.prefix }, sdkKey: issued.secret };
  }

  private async environmentView(environment: EnvironmentEntity): Promise<EnvironmentResponse> {
    return {
      key: environment.key,
      name: environment.name,
      requireChangeReason: environment.requireChangeReason,
      requireApproval: environment.requireApproval,
      requiredApprovals: environment.requiredApprovals,
      sdkKeyPrefix: await this.auth.sdkKeyPrefix(environment.id),
    };
  }

  private async view(project: ProjectEntity): Promise<ProjectResponse> {
    const environments = await this.repository.listEnvironments(project.id);
    return {
      key: project.key,
      name: project.name,
      description: project.description,
      environments: await Promise.all(environments.map((e) => this.environmentView(e))),
      createdAt: project.createdAt.toISOString(),
    };
  }
}

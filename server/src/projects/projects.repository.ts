import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service.js';
import { EnvironmentEntity } from './environment.entity.js';
import { ProjectEntity } from './project.entity.js';

@Injectable()
export class ProjectsRepository {
  constructor(private readonly db: Database) {}

  private get projects() {
    return this.db.manager().getRepository(ProjectEntity);
  }
  private get environments() {
    return this.db.manager().getRepository(EnvironmentEntity);
  }

  countProjects(): Promise<number> {
    return this.projects.count();
  }
  listProjects(): Promise<ProjectEntity[]> {
    return this.projects.find({ order: { createdAt: 'ASC' } });
  }
  findProjectById(id: string): Promise<ProjectEntity | null> {
    return this.projects.findOneBy({ id });
  }
  findProject(key: string): Promise<ProjectEntity | null> {
    return this.projects.findOneBy({ key });
  }
  saveProject(project: Partial<ProjectEntity>): Promise<ProjectEntity> {
    return this.projects.save(this.projects.create(project));
  }

  listEnvironments(projectId: string): Promise<EnvironmentEntity[]> {
    return this.environments.find({ where: { projectId }, order: { position: 'ASC', createdAt: 'ASC' } });
  }
  findEnvironment(projectId: string, key: string): Promise<EnvironmentEntity | null> {
    return this.environments.findOneBy({ projectId, key });
  }
  findEnvironmentById(id: string): Promise<EnvironmentEntity | null> {
    return this.environments.findOneBy({ id });
  }
  saveEnvironment(environment: Partial<EnvironmentEntity>): Promise<EnvironmentEntity> {
    return this.environments.save(this.environments.create(environment));
  }
}

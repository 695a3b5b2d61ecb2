import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChangeEntity, ChangeLogHeadEntity } from './change.entity.js';
import { ChangesRepository } from './changes.repository.js';
import { ChangesService } from './changes.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([ChangeEntity, ChangeLogHeadEntity])],
  providers: [ChangesRepository, ChangesService],
  exports: [ChangesService],
})
export class ChangesModule {}

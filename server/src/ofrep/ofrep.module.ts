import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { SnapshotsModule } from '../snapshots/snapshots.module.js';
import { OfrepHandler } from './ofrep.handler.js';
import { OfrepService } from './ofrep.service.js';

/** OFREP, the OpenFeature Remote Evaluation Protocol; `app.ts` puts its handler in front of Express. */
@Module({ imports: [AuthModule, SnapshotsModule], providers: [OfrepService, OfrepHandler], exports: [OfrepHandler] })
export class OfrepModule {}

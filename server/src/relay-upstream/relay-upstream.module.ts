import { Module } from '@nestjs/common';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { RelayKeysRepository } from './relay-keys.repository.js';
import { RelayKeysService } from './relay-keys.service.js';
import { RelayUpstreamController } from './relay-upstream.controller.js';

/** The upstream side of `signalbox relay`: key hashes and aggregated presence. */
@Module({
  imports: [RealtimeModule],
  controllers: [RelayUpstreamController],
  providers: [RelayKeysRepository, RelayKeysService],
})
export class RelayUpstreamModule {}

import { Module } from '@nestjs/common';
import { FlagsRepository } from './flags.repository.js';
import { SegmentUsageReadModel } from './segment-usage.read-model.js';

/**
 * The segment-usage read model alone, for the segments module: the flags module depends on segments
 * (it validates segment references), so segments cannot import it.
 */
@Module({
  providers: [FlagsRepository, SegmentUsageReadModel],
  exports: [SegmentUsageReadModel],
})
export class SegmentUsageModule {}

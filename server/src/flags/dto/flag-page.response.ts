import { ApiProperty } from '@nestjs/swagger';
import { FlagResponse } from './flag.response.js';

/** A page of the flag list (GET .../flags with `limit`). */
export class FlagPageResponse {
  @ApiProperty({ type: [FlagResponse], description: 'At most `limit` flags, in the requested sort and order' })
  items: FlagResponse[];

  @ApiProperty({ description: 'How many flags the filters hold in all pages' })
  total: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Send it back as `cursor` (same filters, sort and order) for the next page; null on the last page',
  })
  nextCursor: string | null;
}

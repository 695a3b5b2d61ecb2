import { ApiProperty } from '@nestjs/swagger';
import { IsObject, IsString, Matches } from 'class-validator';

export class RelayPresenceDto {
  @ApiProperty({ description: 'Stable id of the relay process (letters, digits, `.`, `_`, `-`; at most 58)', example: 'relay-eu-1' })
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,58}$/, { message: 'relayId must be 1 to 58 letters, digits, `.`, `_` or `-`' })
  relayId: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 0 },
    description: "The relay's downstream SDKs of this environment by the newest sequence each confirmed: sequence → count",
    example: { '41': 3, '42': 120 },
  })
  @IsObject({ message: 'acks must be an object of sequence → count' })
  acks: Record<string, number>;
}

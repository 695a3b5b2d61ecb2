import { ApiProperty } from '@nestjs/swagger';

export class DeliveryStatusResponse {
  @ApiProperty() environment: string;
  @ApiProperty({ description: "The environment's newest change-log sequence, or the one asked for with ?sequence=" }) sequence: number;
  @ApiProperty({ description: 'SDKs connected to any instance' }) connected: number;
  @ApiProperty({ description: 'Of those, how many confirmed `sequence`' }) confirmed: number;
}

import { ApiProperty } from '@nestjs/swagger';

export class RelayKeysResponse {
  @ApiProperty({ format: 'uuid', description: "The calling key's environment: a relay recognises a rotated key of the same environment by it" })
  environmentId: string;

  @ApiProperty({ type: [String], description: "SHA-256 (hex) of every active SDK key of the calling key's environment" })
  keyHashes: string[];
}

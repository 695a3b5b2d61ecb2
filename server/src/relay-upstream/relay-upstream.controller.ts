import { Body, Controller, Get, Headers, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import type { Principal } from '../auth/principal.js';
import { validationFailed } from '../common/errors/domain-error.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { PresenceService } from '../realtime/presence.service.js';
import { RelayKeysResponse } from './dto/relay-keys.response.js';
import { RelayPresenceDto } from './dto/relay-presence.dto.js';
import { RelayKeysService } from './relay-keys.service.js';

/** Longest a relay's key request is held open waiting for a change. */
const MAX_WAIT_MS = 30_000;

const environmentOf = (principal: Principal): string => {
  if (principal.kind !== 'sdk') throw new Error('SDK route reached without an SDK key');
  return principal.environmentId;
};

/** What a relay (`signalbox relay`) needs from its upstream besides the SDK protocol itself. */
@ApiTags('sdk')
@ApiBearerAuth()
@Controller('sdk/relay')
export class RelayUpstreamController {
  constructor(
    private readonly keys: RelayKeysService,
    private readonly presence: PresenceService,
  ) {}

  @Get('keys')
  @Access('sdk')
  @ApiOperation({
    summary:
      "The hashes of the SDK keys valid for the calling key's environment, so a relay refuses exactly the keys the server refuses. " +
      'With If-None-Match and ?waitMs=, answers when the set changes (a rotation or revocation) or after the wait (304 if unchanged)',
  })
  @ApiOkResponse({ type: RelayKeysResponse })
  @ApiQuery({ name: 'waitMs', required: false, type: Number, description: `Hold the request up to this long (at most ${MAX_WAIT_MS}) for a change` })
  @ApiErrors(400, 401, 403)
  async keyHashes(
    @CurrentPrincipal() principal: Principal,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Query('waitMs') waitMs: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RelayKeysResponse | undefined> {
    const wait = waitMs === undefined ? 0 : Number(waitMs);
    if (!Number.isSafeInteger(wait) || wait < 0 || wait > MAX_WAIT_MS)
      throw validationFailed([{ field: 'waitMs', reason: `must be an integer from 0 to ${MAX_WAIT_MS}` }]);
    const set = await this.keys.changedSince(environmentOf(principal), ifNoneMatch?.trim(), wait);
    res.setHeader('ETag', set.etag);
    res.setHeader('Cache-Control', 'no-store');
    if (ifNoneMatch?.trim() === set.etag) {
      res.status(304);
      return undefined;
    }
    return { environmentId: environmentOf(principal), keyHashes: set.keyHashes };
  }

  @Post('presence')
  @HttpCode(204)
  @Access('sdk')
  @ApiOperation({
    summary:
      "A relay reports its downstream SDKs of the calling key's environment and what each confirmed, so delivery status counts them. " +
      'Counted while reported at least every few seconds',
  })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403)
  async report(@CurrentPrincipal() principal: Principal, @Body() body: RelayPresenceDto): Promise<void> {
    await this.presence.relayed(body.relayId, environmentOf(principal), body.acks);
  }
}

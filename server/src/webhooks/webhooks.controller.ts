import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { CreateWebhookDto, DeliveriesQueryDto, IssuedWebhookResponse, UpdateWebhookDto, WebhookDeliveryResponse, WebhookResponse } from './dto/webhook.dto.js';
import { WebhooksService } from './webhooks.service.js';

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @Access('admin')
  @ApiOperation({ summary: 'Every webhook subscription' })
  @ApiOkResponse({ type: [WebhookResponse] })
  @ApiErrors(401, 403)
  list(): Promise<WebhookResponse[]> {
    return this.webhooks.list();
  }

  @Post()
  @Access('admin')
  @ApiOperation({
    summary:
      'Subscribe a URL to events. Deliveries are POSTs signed with X-Signalbox-Signature: sha256=<hex HMAC-SHA256(secret, X-Signalbox-Timestamp + ' +
      '"." + body)>; the secret is shown once.',
  })
  @ApiCreatedResponse({ type: IssuedWebhookResponse })
  @ApiErrors(400, 401, 403, { status: 404, description: 'NOT_FOUND: projectKey names no project' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateWebhookDto): Promise<IssuedWebhookResponse> {
    return this.webhooks.create(actorOf(principal), body);
  }

  @Get(':id')
  @Access('admin')
  @ApiOperation({ summary: 'One webhook subscription' })
  @ApiOkResponse({ type: WebhookResponse })
  @ApiErrors(400, 401, 403, 404)
  get(@Param('id', ParseUUIDPipe) id: string): Promise<WebhookResponse> {
    return this.webhooks.get(id);
  }

  @Patch(':id')
  @Access('admin')
  @ApiOperation({ summary: 'Change name, URL, events or project filter; enable or disable (absent = unchanged; projectKey null = every project)' })
  @ApiOkResponse({ type: WebhookResponse })
  @ApiErrors(400, 401, 403, 404)
  update(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateWebhookDto): Promise<WebhookResponse> {
    return this.webhooks.update(actorOf(principal), id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Access('admin')
  @ApiOperation({ summary: 'Delete a subscription' })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 403, 404)
  delete(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.webhooks.delete(actorOf(principal), id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @Access('admin')
  @ApiOperation({ summary: 'New signing secret, shown once; deliveries from now on use it' })
  @ApiOkResponse({ type: IssuedWebhookResponse })
  @ApiErrors(400, 401, 403, 404)
  rotateSecret(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<IssuedWebhookResponse> {
    return this.webhooks.rotateSecret(actorOf(principal), id);
  }

  @Post(':id/test')
  @HttpCode(200)
  @Access('admin')
  @ApiOperation({ summary: 'Send a signed `webhook.test` event now and report the outcome' })
  @ApiOkResponse({ type: WebhookDeliveryResponse })
  @ApiErrors(400, 401, 403, 404)
  test(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<WebhookDeliveryResponse> {
    return this.webhooks.sendTest(actorOf(principal), id);
  }

  @Get(':id/deliveries')
  @Access('admin')
  @ApiOperation({ summary: 'Delivery log, newest first, with every attempt' })
  @ApiOkResponse({ type: [WebhookDeliveryResponse] })
  @ApiErrors(400, 401, 403, 404)
  deliveries(@Param('id', ParseUUIDPipe) id: string, @Query() query: DeliveriesQueryDto): Promise<WebhookDeliveryResponse[]> {
    return this.webhooks.deliveries(id, query);
  }
}

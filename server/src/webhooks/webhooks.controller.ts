import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { CreateWebhookDto, DeliveriesQueryDto, IssuedWebhookResponse, UpdateWebhookDto, WebhookDeliveryResponse, WebhookResponse } from './dto/webhook.dto.js';
import { WebhooksService } from './webhooks.service.js';

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @Access('admin')
  @ApiOkResponse({ type: [WebhookResponse] })
  list(): Promise<WebhookResponse[]> {
    return this.webhooks.list();
  }

  @Post()
  @Access('admin')
  @ApiOperation({
    summary:
      'Subscribe a URL to events. Deliveries are POSTs signed with X-Signalbox-Signature: sha256=<hex HMAC-SHA256(secret, X-Signalbox-Timestamp + "." + body)>; the secret is shown once.',
  })
  @ApiCreatedResponse({ type: IssuedWebhookResponse })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateWebhookDto): Promise<IssuedWebhookResponse> {
    return this.webhooks.create(actorOf(principal), body);
  }

  @Get(':id')
  @Access('admin')
  @ApiOkResponse({ type: WebhookResponse })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<WebhookResponse> {
    return this.webhooks.get(id);
  }

  @Patch(':id')
  @Access('admin')
  @ApiOperation({ summary: 'Change name, URL, events or project filter; enable or disable (absent = unchanged; projectKey null = every project)' })
  @ApiOkResponse({ type: WebhookResponse })
  update(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateWebhookDto): Promise<WebhookResponse> {
    return this.webhooks.update(actorOf(principal), id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Access('admin')
  delete(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.webhooks.delete(actorOf(principal), id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @Access('admin')
  @ApiOperation({ summary: 'New signing secret, shown once; deliveries from now on use it' })
  @ApiOkResponse({ type: IssuedWebhookResponse })
  rotateSecret(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<IssuedWebhookResponse> {
    return this.webhooks.rotateSecret(actorOf(principal), id);
  }

  @Post(':id/test')
  @HttpCode(200)
  @Access('admin')
  @ApiOperation({ summary: 'Send a signed `webhook.test` event now and report the outcome' })
  @ApiOkResponse({ type: WebhookDeliveryResponse })
  test(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<WebhookDeliveryResponse> {
    return this.webhooks.sendTest(actorOf(principal), id);
  }

  @Get(':id/deliveries')
  @Access('admin')
  @ApiOperation({ summary: 'Delivery log, newest first, with every attempt' })
  @ApiOkResponse({ type: [WebhookDeliveryResponse] })
  deliveries(@Param('id', ParseUUIDPipe) id: string, @Query() query: DeliveriesQueryDto): Promise<WebhookDeliveryResponse[]> {
    return this.webhooks.deliveries(id, query);
  }
}

import { Global, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { DomainEvents } from './events/domain-events.js';
import { requireJsonBody } from './http/require-json-body.middleware.js';

@Global()
@Module({ providers: [DomainEvents], exports: [DomainEvents] })
export class CommonModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(requireJsonBody).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}

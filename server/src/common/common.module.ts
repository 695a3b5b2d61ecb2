import { Global, Logger, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { SecretBox } from './crypto/secret-box.js';
import { loadSecretKey } from './crypto/secret-key.js';
import { DomainEvents } from './events/domain-events.js';
import { requireJsonBody } from './http/require-json-body.middleware.js';

const secretBoxProvider = {
  provide: SecretBox,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): SecretBox => {
    const { material, source } = loadSecretKey(config.secretKey, config.dataDir);
    const box = new SecretBox(material, config.previousSecretKey ? [config.previousSecretKey] : []);
    const logger = new Logger('secrets');
    if (source.kind === 'file') {
      logger.log(
        `${source.created ? 'created' : 'using'} the key that seals stored secrets: ${source.path} (key id ${box.keyId}); back it up with the database`,
      );
      // Instances with different keys cannot open each other's secrets.
      if (config.databaseUrl) logger.warn('SIGNALBOX_SECRET_KEY is not set: set the same value on every instance that shares this database');
    }
    return box;
  },
};

@Global()
@Module({ providers: [DomainEvents, secretBoxProvider], exports: [DomainEvents, SecretBox] })
export class CommonModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Trigger URLs also take CloudEvents (application/cloudevents+json): triggers/ checks their media types itself.
    consumer.apply(requireJsonBody).exclude({ path: 'triggers/:secret', method: RequestMethod.POST }).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}

import { Injectable } from '@nestjs/common';

/** Set once, when the instance starts shutting down: readiness fails and responses close their connections. */
@Injectable()
export class Draining {
  active = false;
}

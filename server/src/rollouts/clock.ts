import { Injectable } from '@nestjs/common';

/** The scheduler's notion of now; tests replace or advance it to run a whole plan in seconds. */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { DomainError } from '../common/errors/domain-error.js';
import { Database } from '../database/database.service.js';
import { type FailureCounter, LoginThrottleRepository } from './login-throttle.repository.js';

export interface BackoffPolicy {
  /** Failures in a row before any wait. */
  freeFailures: number;
  /** The longest wait: backoff slows guessing down but never locks anyone out for longer. */
  maxWaitMs: number;
  /** A counter with no failure for this long starts again from zero. */
  forgetAfterMs: number;
}

/**
 * One account, from any number of addresses: after 5 failures each attempt waits 1 s, 2 s, 4 s …
 * after the last failure, up to 15 minutes; a successful sign-in resets it.
 */
export const ACCOUNT_BACKOFF: BackoffPolicy = { freeFailures: 5, maxWaitMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 };
/**
 * One client address (an IPv6 /64), across accounts: the same waits after 20 failures. A success
 * does not reset it, or an attacker could reset it by signing in to an account of their own.
 */
export const ADDRESS_BACKOFF: BackoffPolicy = { freeFailures: 20, maxWaitMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 };

/** How long after the latest of `failures` failures the next attempt must wait. */
export const waitAfter = (failures: number, policy: BackoffPolicy): number =>
  failures < policy.freeFailures ? 0 : Math.min(policy.maxWaitMs, 1000 * 2 ** Math.min(failures - policy.freeFailures, 30));

/** The counter after one more failure at `now`. */
export const charge = (counter: FailureCounter | null, now: number, policy: BackoffPolicy): FailureCounter => {
  const failures = counter === null || now - counter.lastFailureAt >= policy.forgetAfterMs ? 1 : counter.failures + 1;
  const wait = waitAfter(failures, policy);
  return { failures, lastFailureAt: now, blockedUntil: wait > 0 ? now + wait : null };
};

/** How long an attempt at `now` must still wait (0: it may go ahead). */
export const waitLeft = (counter: FailureCounter | null | undefined, now: number): number =>
  counter?.blockedUntil != null && counter.blockedUntil > now ? counter.blockedUntil - now : 0;

/** What the address counter is keyed on: IPv4 as is (also when IPv4-mapped), IPv6 by its /64, which one client usually holds whole. */
export const addressKeyOf = (address: string | undefined): string => {
  if (!address || !ipaddr.isValid(address)) return 'unknown';
  const ip = ipaddr.process(address);
  if (ip.kind() === 'ipv4') return ip.toString();
  const parts = (ip as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
};

const hashed = (kind: 'account' | 'address', value: string): string => createHash('sha256').update(`${kind}:${value}`, 'utf8').digest('hex');

/** A sign-in the throttle let through: its failure is already counted, until `succeeded` takes it back. */
export interface LoginAttempt {
  accountKey: string;
  addressKey: string;
  /** The address counter before and after this attempt was counted. */
  addressBefore: FailureCounter | null;
  addressCharged: FailureCounter;
}

/** A refusal in the API's error format; the controller turns `retryAfterSeconds` into Retry-After. */
export const tooManyFailedSignIns = (waitMs: number): DomainError => {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new DomainError('RATE_LIMITED', `Too many failed sign-ins; try again in ${seconds} s`, { retryAfterSeconds: seconds });
};

/** A RATE_LIMITED refusal that also says whether it is the first this instance made in the current wait. */
export class SignInThrottled extends DomainError {
  constructor(
    waitMs: number,
    /** The first refusal of this wait: audit it; later ones in the same wait add nothing to know and would let a refused client fill the log. */
    readonly firstOfWait: boolean,
  ) {
    const refusal = tooManyFailedSignIns(waitMs);
    super(refusal.code, refusal.message, refusal.details);
  }
}

// Every this many attempts, an instance deletes the counters nobody has failed on for long.
const CLEANUP_EVERY = 200;
// Waits whose first refusal was noted; bounded, as the counters' keys come from what clients send.
const NOTED_WAITS_MAX = 10_000;

/**
 * Backoff for failed sign-ins, per account and per client address, counted in the database so
 * every instance applies the same waits. An unknown email is counted exactly like a real one, so
 * the answers (401, 429, Retry-After) never tell whether an account exists.
 *
 * An attempt is counted as a failure before its password is checked and taken back when it
 * succeeds: so a burst of concurrent guesses gets no more checks than sequential ones would.
 */
@Injectable()
export class LoginThrottle {
  private now: () => number = Date.now;
  private attempts = 0;
  /** Counter key → the end of the wait whose first refusal this instance made. */
  private readonly notedWaits = new Map<string, number>();

  constructor(
    private readonly repository: LoginThrottleRepository,
    private readonly db: Database,
  ) {}

  /** Tests run the backoff on their own clock. */
  useClock(now: () => number): void {
    this.now = now;
  }

  /** Lets the attempt go ahead (counting it as a failure for now), or throws SignInThrottled (RATE_LIMITED) with how long to wait. */
  async begin(email: string, address: string | undefined): Promise<LoginAttempt> {
    const now = this.now();
    if (++this.attempts % CLEANUP_EVERY === 0)
      await this.repository.deleteStale(new Date(now - Math.max(ACCOUNT_BACKOFF.forgetAfterMs, ADDRESS_BACKOFF.forgetAfterMs)));
    const accountKey = hashed('account', email.trim().toLowerCase());
    const addressKey = hashed('address', addressKeyOf(address));
    return this.db.transaction(async () => {
      await this.repository.lock([accountKey, addressKey]);
      const counters = await this.repository.find([accountKey, addressKey]);
      const account = counters.get(accountKey) ?? null;
      const addressBefore = counters.get(addressKey) ?? null;
      // A refused attempt changes nothing: it neither counts nor makes the wait longer.
      const accountWait = waitLeft(account, now);
      const wait = Math.max(accountWait, waitLeft(addressBefore, now));
      if (wait > 0) throw new SignInThrottled(wait, this.firstRefusalOf(accountWait === wait ? accountKey : addressKey, now + wait));
      const addressCharged = charge(addressBefore, now, ADDRESS_BACKOFF);
      await this.repository.save(accountKey, charge(account, now, ACCOUNT_BACKOFF));
      await this.repository.save(addressKey, addressCharged);
      return { accountKey, addressKey, addressBefore, addressCharged };
    });
  }

  /** True once per wait (a counter key and when its wait ends), on this instance. */
  private firstRefusalOf(key: string, waitEnds: number): boolean {
    if (this.notedWaits.get(key) === waitEnds) return false;
    if (this.notedWaits.size >= NOTED_WAITS_MAX) this.notedWaits.clear();
    this.notedWaits.set(key, waitEnds);
    return true;
  }

  /** The password was right: the account starts afresh, and the address gets back the failure counted for this attempt. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await this.db.transaction(async () => {
      await this.repository.lock([attempt.accountKey, attempt.addressKey]);
      await this.repository.save(attempt.accountKey, null);
      const address = (await this.repository.find([attempt.addressKey])).get(attempt.addressKey) ?? null;
      if (address === null) return;
      const untouched = address.failures === attempt.addressCharged.failures && address.lastFailureAt === attempt.addressCharged.lastFailureAt;
      // Untouched since: exactly as before this attempt. Otherwise other attempts failed meanwhile, and their waits stand.
      await this.repository.save(attempt.addressKey, untouched ? attempt.addressBefore : { ...address, failures: Math.max(0, address.failures - 1) });
    });
  }
}

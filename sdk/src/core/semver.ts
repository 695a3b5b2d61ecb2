/** A parsed semantic version. Missing minor/patch ("1", "1.2") are read as 0. */
export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release identifiers; numeric ones as numbers. Empty for a release. */
  readonly prerelease: readonly (string | number)[];
}

const ZERO = 0x30;
const NINE = 0x39;
const DOT = 0x2e;
const DASH = 0x2d;
const PLUS = 0x2b;

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

/** [0-9A-Za-z.-]: what pre-release and build parts are made of. */
function isPartChar(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === DASH || code === DOT;
}

/**
 * Parses a SemVer 2.0 string ("1.2" reads as "1.2.0", build metadata is accepted and ignored);
 * `undefined` when it is not one. A scanner rather than a regular expression: V8 compiles a
 * pattern on each of its first uses, which a process that evaluates a few flags and exits pays in full.
 */
export function parseSemver(text: unknown): SemVer | undefined {
  if (typeof text !== 'string' || text.length > 256) return undefined;
  const end = text.length;
  const numbers = [0, 0, 0];
  let at = 0;
  for (let part = 0; part < 3; part++) {
    if (part > 0) {
      // Minor and patch are optional.
      if (text.charCodeAt(at) !== DOT) break;
      at++;
    }
    const start = at;
    while (isDigit(text.charCodeAt(at))) at++;
    // Digits without a leading zero (0 itself aside).
    if (at === start || (text.charCodeAt(start) === ZERO && at - start > 1)) return undefined;
    numbers[part] = Number(text.slice(start, at));
  }
  const [major, minor, patch] = numbers as [number, number, number];
  if (!Number.isSafeInteger(major) || !Number.isSafeInteger(minor) || !Number.isSafeInteger(patch)) return undefined;
  // Most versions end here; a pre-release or build part is read apart.
  if (at === end) return { major, minor, patch, prerelease: [] };
  const prerelease = suffixOf(text, at);
  return prerelease === undefined ? undefined : { major, minor, patch, prerelease };
}

/** The pre-release identifiers of what follows the version core at `at` ("-rc.1+build"), or `undefined` when it is no valid suffix. */
function suffixOf(text: string, at: number): (string | number)[] | undefined {
  const partAfter = (mark: number): string[] | undefined => {
    if (text.charCodeAt(at) !== mark) return [];
    const start = ++at;
    while (isPartChar(text.charCodeAt(at))) at++;
    const identifiers = text.slice(start, at).split('.');
    return identifiers.every((identifier) => identifier.length > 0) ? identifiers : undefined;
  };
  const prerelease: (string | number)[] = [];
  const pre = partAfter(DASH);
  if (pre === undefined) return undefined;
  for (const identifier of pre) {
    let digits = 0;
    while (isDigit(identifier.charCodeAt(digits))) digits++;
    if (digits < identifier.length) {
      prerelease.push(identifier);
    } else {
      // SemVer forbids leading zeros in numeric pre-release identifiers.
      if (identifier.length > 1 && identifier.charCodeAt(0) === ZERO) return undefined;
      prerelease.push(Number(identifier));
    }
  }
  if (partAfter(PLUS) === undefined || at !== text.length) return undefined;
  return prerelease;
}

/** True when `text` is a version the semver operators accept. */
export function isValidSemver(text: unknown): boolean {
  return parseSemver(text) !== undefined;
}

/** SemVer 2.0 precedence: negative, zero or positive. Build metadata never matters. */
export function compareSemver(a: SemVer, b: SemVer): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  const left = a.prerelease;
  const right = b.prerelease;
  // A release ranks above any of its pre-releases.
  if (left.length === 0 || right.length === 0) return right.length - left.length;
  const shared = Math.min(left.length, right.length);
  for (let i = 0; i < shared; i++) {
    const x = left[i]!;
    const y = right[i]!;
    if (x === y) continue;
    const xNumeric = typeof x === 'number';
    const yNumeric = typeof y === 'number';
    // Numeric identifiers rank below alphanumeric ones; strings compare in ASCII order.
    if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/** A parsed semantic version. Missing minor/patch ("1", "1.2") are read as 0. */
export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release identifiers; numeric ones as numbers. Empty for a release. */
  readonly prerelease: readonly (string | number)[];
}

const NUMERIC = /^(0|[1-9]\d*)$/;
const IDENTIFIER = /^[0-9A-Za-z-]+$/;
// SemVer 2.0 with optional minor and patch; build metadata is accepted and ignored.
const SEMVER = /^(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/;

/** Parses a SemVer 2.0 string ("1.2" reads as "1.2.0"); `undefined` when it is not one. */
export function parseSemver(text: unknown): SemVer | undefined {
  if (typeof text !== 'string' || text.length > 256) return undefined;
  const match = SEMVER.exec(text);
  if (match === null) return undefined;
  const major = Number(match[1]);
  const minor = match[2] === undefined ? 0 : Number(match[2]);
  const patch = match[3] === undefined ? 0 : Number(match[3]);
  if (!Number.isSafeInteger(major) || !Number.isSafeInteger(minor) || !Number.isSafeInteger(patch)) return undefined;
  const prerelease: (string | number)[] = [];
  if (match[4] !== undefined) {
    for (const identifier of match[4].split('.')) {
      if (!IDENTIFIER.test(identifier)) return undefined;
      if (/^\d+$/.test(identifier)) {
        // SemVer forbids leading zeros in numeric pre-release identifiers.
        if (!NUMERIC.test(identifier)) return undefined;
        prerelease.push(Number(identifier));
      } else {
        prerelease.push(identifier);
      }
    }
  }
  if (match[5] !== undefined && match[5].split('.').some((identifier) => !IDENTIFIER.test(identifier))) return undefined;
  return { major, minor, patch, prerelease };
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

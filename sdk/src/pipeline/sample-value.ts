const MAX_SAMPLE_CHARS = 2_048;

/**
 * A JSON-safe copy of a value for a sample: the value itself when its JSON is short, else the
 * start of its JSON as a string ending in `…`. Never throws (circular values become their `String`).
 */
export function sampleValue(value: unknown): unknown {
  try {
    const json = JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    if (json === undefined) return null;
    return json.length <= MAX_SAMPLE_CHARS ? JSON.parse(json) : `${json.slice(0, MAX_SAMPLE_CHARS)}…`;
  } catch {
    return String(value).slice(0, MAX_SAMPLE_CHARS);
  }
}

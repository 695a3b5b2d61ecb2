/**
 * JSON text the fuzzer sends. Values are plain JS values, except what JSON.stringify cannot say:
 * number literals (`1e400`, `-0`, `9007199254740993`), bytes that are not UTF-8, and structures
 * too big or too deep to hold as objects (10,000 levels, 250,000 elements), which are `RawJson`
 * pieces: repeated text is kept as text × count, so a 1 MB body stays cheap to generate, shrink
 * and print as a one-line reproduction.
 */

export type Piece = { text: string } | { repeat: string; times: number } | { hex: string };

export class RawJson {
  constructor(
    readonly pieces: Piece[],
    /** Short description for reports, e.g. `[×10000 nested]`. */
    readonly label: string,
  ) {}
  toJSON(): string {
    return this.label;
  }
}

export type JsonNode = null | boolean | number | string | RawJson | JsonNode[] | { [key: string]: JsonNode };

export const raw = (text: string, label = text): RawJson => new RawJson([{ text }], label);

/** Sets an own property, so `__proto__` becomes a key of the JSON object, not its prototype. */
export const setOwn = (target: Record<string, JsonNode>, key: string, value: JsonNode): void => {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
};

export const isPlainObject = (v: unknown): v is Record<string, JsonNode> => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof RawJson);

/** Encodes a node as pieces; consecutive text is merged. */
export const toPieces = (node: JsonNode): Piece[] => {
  const out: Piece[] = [];
  const text = (t: string) => {
    const last = out[out.length - 1];
    if (last && 'text' in last) out[out.length - 1] = { text: last.text + t };
    else out.push({ text: t });
  };
  const walk = (n: JsonNode): void => {
    if (n instanceof RawJson) {
      for (const p of n.pieces) {
        if ('text' in p) text(p.text);
        else out.push(p);
      }
    } else if (Array.isArray(n)) {
      text('[');
      n.forEach((item, i) => {
        if (i > 0) text(',');
        walk(item);
      });
      text(']');
    } else if (isPlainObject(n)) {
      text('{');
      Object.keys(n).forEach((key, i) => {
        if (i > 0) text(',');
        text(`${JSON.stringify(key)}:`);
        walk(n[key]!);
      });
      text('}');
    } else if (typeof n === 'number') {
      // JSON.stringify writes -0 as 0 and non-finite numbers as null; say what was meant.
      text(Object.is(n, -0) ? '-0' : Number.isFinite(n) ? String(n) : 'null');
    } else {
      // Lone surrogates come out as \udXXX escapes (well-formed JSON.stringify), so they arrive as such.
      text(JSON.stringify(n));
    }
  };
  walk(node);
  return out;
};

export const pieceLength = (p: Piece): number =>
  'text' in p ? Buffer.byteLength(p.text, 'utf8') : 'repeat' in p ? Buffer.byteLength(p.repeat, 'utf8') * p.times : p.hex.length / 2;

export const byteLength = (pieces: Piece[]): number => pieces.reduce((n, p) => n + pieceLength(p), 0);

export const toBuffer = (pieces: Piece[]): Buffer =>
  Buffer.concat(
    pieces.map((p) => ('text' in p ? Buffer.from(p.text, 'utf8') : 'repeat' in p ? Buffer.from(p.repeat.repeat(p.times), 'utf8') : Buffer.from(p.hex, 'hex'))),
  );

/** Readable and bounded: repeated runs as `⟨"[" × 10000⟩`, bytes as `⟨0xff⟩`. */
export const preview = (pieces: Piece[], max = 400): string => {
  let s = '';
  for (const p of pieces) {
    s += 'text' in p ? p.text : 'repeat' in p ? (p.times <= 3 ? p.repeat.repeat(p.times) : `⟨${JSON.stringify(p.repeat)} × ${p.times}⟩`) : `⟨0x${p.hex}⟩`;
    if (s.length > max) return `${s.slice(0, max)}…`;
  }
  return s;
};

/** A JS expression whose value is the body as a Buffer, for `node -e` in a reproduction line. */
export const toJsExpression = (pieces: Piece[]): string => {
  const parts = pieces.map((p) =>
    'text' in p ? JSON.stringify(p.text) : 'repeat' in p ? `${JSON.stringify(p.repeat)}.repeat(${p.times})` : `Buffer.from(${JSON.stringify(p.hex)},"hex")`,
  );
  if (pieces.every((p) => !('hex' in p))) return parts.join('+') || '""';
  return `Buffer.concat([${pieces.map((p, i) => ('hex' in p ? parts[i] : `Buffer.from(${parts[i]})`)).join(',')}])`;
};

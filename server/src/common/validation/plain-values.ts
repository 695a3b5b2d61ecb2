import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { declaredBoundsOf, type DtoClass, isRecord, knownFieldsOf } from './input-bounds.js';

/** A JSON value taken out of the input before class-transformer runs, and where it goes back. */
export interface HeldValue {
  path: Array<string | number>;
  value: unknown;
}

const PLAIN_TO_CLASS = 0;
const copiedAsIsCache = new Map<DtoClass, Set<string>>();

/** Properties class-transformer would only copy: no @Type, no @Transform. */
const copiedAsIs = (type: DtoClass): Set<string> => {
  let properties = copiedAsIsCache.get(type);
  if (!properties) {
    properties = new Set(
      [...knownFieldsOf(type)].filter(
        (p) =>
          defaultMetadataStorage.findTypeMetadata(type, p) === undefined && defaultMetadataStorage.findTransformMetadatas(type, p, PLAIN_TO_CLASS).length === 0,
      ),
    );
    copiedAsIsCache.set(type, properties);
  }
  return properties;
};

/**
 * Takes every array and object that class-transformer would merely copy (an evaluation context, a
 * JSON variant value, a segment's 100,000 keys, or an array sent where a string belongs) out of
 * `input` and its nested DTOs, leaving `undefined`. class-transformer copies such values element by
 * element, at about 1 µs each: 100 ms of event loop for a 140,000-value context. Put back with
 * `putBack` on the instance it made, class-validator still sees and judges the values as sent.
 */
export const holdPlainValues = (input: unknown, type: DtoClass): HeldValue[] => {
  const held: HeldValue[] = [];
  if (!isRecord(input)) return held;
  const pending: Array<{ value: Record<string, unknown>; type: DtoClass; path: Array<string | number> }> = [{ value: input, type, path: [] }];
  for (let next = 0; next < pending.length; next++) {
    const { value, type: current, path } = pending[next]!;
    const asIs = copiedAsIs(current);
    for (const property of Object.keys(value)) {
      const v = value[property];
      if (v === null || typeof v !== 'object') continue;
      if (asIs.has(property)) {
        held.push({ path: [...path, property], value: v });
        value[property] = undefined;
        continue;
      }
      const nested = declaredBoundsOf(current).get(property)?.nested;
      if (!nested) continue;
      if (isRecord(v)) pending.push({ value: v, type: nested, path: [...path, property] });
      else if (Array.isArray(v)) v.forEach((element, i) => isRecord(element) && pending.push({ value: element, type: nested, path: [...path, property, i] }));
    }
  }
  return held;
};

/** Puts held values back at their paths in what class-transformer made of the input. */
export const putBack = (instance: unknown, held: HeldValue[]): void => {
  for (const { path, value } of held) {
    let node = instance as Record<string | number, unknown> | undefined;
    for (let i = 0; i < path.length - 1 && node !== undefined; i++) {
      const child = node[path[i]!];
      node = child !== null && typeof child === 'object' ? (child as Record<string | number, unknown>) : undefined;
    }
    if (node !== undefined) node[path[path.length - 1]!] = value;
  }
};

/**
 * Every member of the string union T as a list, for an OpenAPI enum of a type that exists only at
 * compile time (the SDK's `Reason`, `DecisionStep`): the compiler refuses a value outside T and a
 * member of T left out, so the documented enum cannot drift from the type.
 *
 *   export const REASONS = everyMember<Reason>()(['STATIC', 'TARGETING_MATCH', ...]);
 */
export const everyMember =
  <T extends string>() =>
  <const L extends readonly T[]>(list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : { missing: Exclude<T, L[number]> })): L =>
    list;

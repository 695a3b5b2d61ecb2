// class-transformer 0.5 keeps @Type() metadata in a singleton it does not export from its index;
// only the lookups the input-bounds check and the plain-value hold need.
declare module 'class-transformer/cjs/storage.js' {
  interface TypeMetadata {
    typeFunction(options?: unknown): unknown;
  }
  export const defaultMetadataStorage: {
    findTypeMetadata(target: abstract new (...args: never[]) => unknown, propertyName: string): TypeMetadata | undefined;
    /** `transformationType` 0 is plain to class. */
    findTransformMetadatas(target: abstract new (...args: never[]) => unknown, propertyName: string, transformationType: number): unknown[];
  };
}

// class-transformer 0.5 keeps @Type() metadata in a singleton it does not export from its index;
// only the lookup the input-bounds check needs.
declare module 'class-transformer/cjs/storage.js' {
  interface TypeMetadata {
    typeFunction(options?: unknown): unknown;
  }
  export const defaultMetadataStorage: {
    findTypeMetadata(target: Function, propertyName: string): TypeMetadata | undefined;
  };
}

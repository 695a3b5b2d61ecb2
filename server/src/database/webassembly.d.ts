// The part of the WebAssembly JS API the embedded database uses (TypeScript declares it only in
// the DOM libraries, which the server does not include).
declare namespace WebAssembly {
  class Module {}
  function compile(bytes: Uint8Array): Promise<Module>;
}

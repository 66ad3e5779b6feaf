/**
 * Where resources that clean up after themselves (broker processes started without
 * `cleanup: false`) register their cleanup. The runtime entry knows no test runner:
 * `@kzoo/testkit/jest` installs its after-each/after-all hooks as the registrar when it is
 * imported (the jest config of this repository loads it for every integration test).
 */
export type Cleanup = () => Promise<void> | void;

let registrar: ((fn: Cleanup) => void) | null = null;

/** Sets the function that takes cleanups (the jest fixtures call this at import). */
export function setCleanupRegistrar(fn: (cleanup: Cleanup) => void): void {
  registrar = fn;
}

/** Hands `fn` to the test runner's cleanup, or fails saying how to get one. */
export function registerCleanup(fn: Cleanup): void {
  if (!registrar) {
    throw new Error(
      'this resource is cleaned up by a test runner: import @kzoo/testkit/jest in the test ' +
        'file, or pass cleanup: false and stop it yourself',
    );
  }
  registrar(fn);
}

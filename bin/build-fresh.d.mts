/** See build-fresh.mjs. */
export function buildIsFresh(): boolean;

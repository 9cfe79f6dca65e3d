/**
 * Node flags of the native process, whichever way it is started (Electron utilityProcess,
 * a plain-Node child for the test bridge and the demo; the CLI launcher cli/niem.js uses
 * the same). A 1 MiB young generation: sealing, opening and syncing stream pieces whose
 * memory is freed only when their objects are collected, and frequent small scavenges
 * keep a multi-GiB package within its memory bound (bench/README.md) at no cost in speed.
 */
export const NATIVE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

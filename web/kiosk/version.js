// Filled in by the server: its version and a digest of these files.
export const VERSION = "@VERSION@";

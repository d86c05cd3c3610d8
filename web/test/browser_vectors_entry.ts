// The vector checks as a script for a page: the browser test evaluates this
// inside Chromium and calls runVectorChecks with the vector files.
import { runVectorChecks } from './vector_checks.js';

(globalThis as unknown as { shuttleVectorChecks: typeof runVectorChecks }).shuttleVectorChecks = runVectorChecks;

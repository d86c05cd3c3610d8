// The benchmark's operations as a script for a page (the benchmark evaluates
// it inside Chromium, as the vector check does).
import { letterMs, unlockMs } from './operations.js';

(globalThis as unknown as { shuttleBench: unknown }).shuttleBench = { letterMs, unlockMs };

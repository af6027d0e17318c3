import { defineJob } from '@rivulet/api';
import { buildNexmarkJob } from '../lib/nexmark/job.js';

/** bench/nexmark: the Nexmark generator and one query (`--query`), see bench/lib/nexmark/job.ts for the arguments. */
export default defineJob((env) => buildNexmarkJob(env), { name: 'bench-nexmark' });

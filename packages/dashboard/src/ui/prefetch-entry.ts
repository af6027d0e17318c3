import { startPrefetch } from '../client/prefetch.js';

// Inlined into index.html ahead of the bundle (scripts/bundle.mjs).
startPrefetch(location.hash);

import { bids } from '../views.js';
import type { NexmarkQuery } from './query.js';

/** q0, pass-through: every bid to the sink (measures the source and the framework). */
export const q0: NexmarkQuery = (events, sink) => sink(bids(events));

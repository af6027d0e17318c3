import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { startLeaderTracking } from '../client/leader-tracker.js';
import { prefetchSettled } from '../client/prefetch.js';
import { App } from './app.js';

/** How long the first render waits for the answers the page asked for with its HTML (client/prefetch.ts). */
const FIRST_RENDER_WAIT_MS = 250;

const root = document.getElementById('app');
if (root) {
  // The first frame shows the data when it is (nearly) here, instead of an empty frame and a second one with data.
  await prefetchSettled(FIRST_RENDER_WAIT_MS);
  render(<App />, root);
  requestAnimationFrame(() => performance.mark('rivulet:first-render'));
  startLeaderTracking();
}

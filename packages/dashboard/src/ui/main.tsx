import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { startLeaderTracking } from '../client/leader-tracker.js';
import { App } from './app.js';

const root = document.getElementById('app');
if (root) {
  render(<App />, root);
  requestAnimationFrame(() => performance.mark('rivulet:first-render'));
  startLeaderTracking();
}

export { dashboardAssetsDir, DASHBOARD_INDEX } from './assets-dir.js';

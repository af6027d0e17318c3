export { dashboardAssetsDir, DASHBOARD_INDEX } from './assets-dir.js';
export { PlanLayouts } from './plan-layouts.js';

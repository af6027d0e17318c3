/** Stylesheets are imported for their side effect; esbuild puts them in the bundle's CSS file. */
declare module '*.css';

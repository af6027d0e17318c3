/** The version of every Rivulet package (the CLI's `--version`, the TaskManagers' registration). */
export const RIVULET_VERSION = '0.1.0';

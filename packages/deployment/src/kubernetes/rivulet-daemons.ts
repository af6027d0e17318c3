import type { ConfigKey } from '@rivulet/common';

/** The daemon commands of the `rivulet` image, as a container's first argument. */
export type DaemonCommand = 'jobmanager' | 'taskmanager';

/**
 * What each daemon serves, by configuration key, as the daemons define it
 * (packages/jobmanager/src/jobmanager.ts, packages/taskmanager/src/control/taskmanager.ts,
 * packages/common/src/http/http-server.ts, packages/jobmanager/src/rest/rest-routes.ts).
 * The manifests are checked against this; the process test checks this
 * against the running daemons.
 */
export interface DaemonEndpoints {
  readonly title: string;
  /** Every port the daemon listens on. */
  readonly portKeys: readonly ConfigKey[];
  /** The HTTP port: /metrics and the probe paths. */
  readonly httpPortKey: ConfigKey;
  readonly metricsPath: '/metrics';
  /** 200 while the process runs (standbys included). */
  readonly livenessPath: string;
  /** 200 while it should get traffic: a JobManager only while it leads; a TaskManager has no /readyz. */
  readonly readinessPath: string;
  /** Interfaces it binds: must be every interface (0.0.0.0 or ::) in a pod. */
  readonly bindKeys: readonly ConfigKey[];
  /** Addresses it advertises to others: must be the pod's IP. */
  readonly advertisedKeys: readonly ConfigKey[];
  /** The log line it prints once it serves. */
  readonly readyLogMessage: string;
}

export const DAEMONS: Readonly<Record<DaemonCommand, DaemonEndpoints>> = {
  jobmanager: {
    title: 'JobManager',
    portKeys: ['jobmanager.rpc.port', 'rest.port'],
    httpPortKey: 'rest.port',
    metricsPath: '/metrics',
    livenessPath: '/healthz',
    readinessPath: '/readyz',
    bindKeys: ['jobmanager.bind-host', 'rest.bind-address'],
    advertisedKeys: ['jobmanager.rpc.address', 'rest.address'],
    readyLogMessage: 'JobManager running',
  },
  taskmanager: {
    title: 'TaskManager',
    portKeys: ['taskmanager.rpc.port', 'taskmanager.data.port', 'taskmanager.http.port'],
    httpPortKey: 'taskmanager.http.port',
    metricsPath: '/metrics',
    livenessPath: '/healthz',
    readinessPath: '/readyz',
    bindKeys: ['taskmanager.bind-host'],
    advertisedKeys: ['taskmanager.host'],
    readyLogMessage: 'TaskManager running',
  },
};

export function isDaemonCommand(value: string | undefined): value is DaemonCommand {
  return value === 'jobmanager' || value === 'taskmanager';
}

/** A daemon's command line as a container passes it to the image's `rivulet` entry point. */
export interface DaemonArguments {
  readonly daemon: DaemonCommand;
  readonly configPath: string | undefined;
  /** `-D key=value` / `--set key=value`, in order. */
  readonly settings: readonly string[];
}

/**
 * Parses `jobmanager|taskmanager [--config F | -c F] [-D k=v | --set k=v]…`.
 * Other flags of the daemons (`--host`, `--rpc-port`, …) are refused here on
 * purpose: in a pod every setting belongs in the mounted file or the
 * environment, where this check can see it. Throws naming the argument.
 */
export function parseDaemonArguments(args: readonly string[]): DaemonArguments {
  const [daemon, ...rest] = args;
  if (!isDaemonCommand(daemon)) {
    throw new Error(`the first argument must be "jobmanager" or "taskmanager", got ${daemon === undefined ? 'none' : `"${daemon}"`}`);
  }
  let configPath: string | undefined;
  const settings: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const next = inline ?? rest[++i];
      if (next === undefined || next === '') throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === '--config' || flag === '-c') {
      if (configPath !== undefined) throw new Error(`${flag} is given twice`);
      configPath = value();
    } else if (flag === '--set' || flag === '-D') {
      settings.push(value());
    } else {
      throw new Error(`argument "${arg}" is not one this check reads (--config FILE, -D key=value); put settings in the mounted file or the environment`);
    }
  }
  return { daemon, configPath, settings };
}

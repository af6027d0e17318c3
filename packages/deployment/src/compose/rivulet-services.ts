import { posix } from 'node:path';
import { loadConfiguration, type Configuration } from '@rivulet/common';
import { ComposeFileError, serviceCommand, serviceEnvironment, serviceMounts, type ComposeFile, type ServiceMount } from './compose-file.js';

/** The Dockerfile whose image runs every Rivulet service. */
export const RIVULET_DOCKERFILE = 'deploy/Dockerfile';

export type RivuletRole = 'jobmanager' | 'taskmanager';

/**
 * A service that runs a Rivulet daemon: its role, the arguments after the
 * role, the RIVULET_* environment, and the config file named by --config
 * (container path, and the host file mounted there).
 */
export interface DaemonService {
  readonly name: string;
  readonly role: RivuletRole;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly configFile: { readonly containerPath: string; readonly hostPath: string } | undefined;
  /** `-D key=value` / `--set key=value` arguments. */
  readonly settings: Readonly<Record<string, string>>;
}

/** True when the service runs the image built from deploy/Dockerfile. */
export function isRivuletService(file: ComposeFile, name: string): boolean {
  const build = file.services[name]?.build;
  if (build === undefined) {
    const image = file.services[name]?.image;
    return image !== undefined && Object.entries(file.services).some(([other, s]) => other !== name && s.image === image && isRivuletService(file, other));
  }
  const dockerfile = typeof build === 'string' ? 'Dockerfile' : posix.join(build.context ?? '.', build.dockerfile ?? 'Dockerfile');
  return posix.normalize(dockerfile) === RIVULET_DOCKERFILE;
}

/** Where the container path `path` comes from on the host, through the service's mounts (longest target first). */
export function hostPathOf(mounts: readonly ServiceMount[], path: string): ServiceMount & { readonly relative: string } {
  const mount = [...mounts]
    .sort((a, b) => b.target.length - a.target.length)
    .find((m) => path === m.target || path.startsWith(`${m.target.replace(/\/$/, '')}/`));
  if (!mount) throw new ComposeFileError(`${path} is in none of the service's volumes`);
  return { ...mount, relative: posix.relative(mount.target, path) };
}

/**
 * Reads a daemon service's command as `rivulet` would: the role, then only
 * --config/-c and -D/--set (the compose file sets everything else through
 * RIVULET_* or the config file, which the loader checks key by key). Any
 * other option is refused here, naming it, so that nothing escapes the check.
 */
export function daemonServiceOf(file: ComposeFile, name: string): DaemonService | undefined {
  const service = file.services[name];
  if (!service || !isRivuletService(file, name)) return undefined;
  const [role, ...args] = serviceCommand(name, service);
  if (role !== 'jobmanager' && role !== 'taskmanager') return undefined;
  let configPath: string | undefined;
  const settings: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [option, attached] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = attached ?? args[++i];
    if (value === undefined) throw new ComposeFileError(`service ${name}: option ${option} has no value`);
    if (option === '--config' || option === '-c') configPath = value;
    else if (option === '-D' || option === '--set') {
      const eq = value.indexOf('=');
      if (eq <= 0) throw new ComposeFileError(`service ${name}: ${option} ${value}: expected key=value`);
      settings[value.slice(0, eq)] = value.slice(eq + 1);
    } else {
      throw new ComposeFileError(
        `service ${name}: "${arg}" is not checked by this test: set the key with -D key=value, a RIVULET_* variable or the config file`,
      );
    }
  }
  let configFile: DaemonService['configFile'];
  if (configPath !== undefined) {
    const containerPath = posix.resolve(service.working_dir ?? '/', configPath);
    const mount = hostPathOf(serviceMounts(file, name), containerPath);
    if (mount.type !== 'bind') throw new ComposeFileError(`service ${name}: --config ${configPath} is on volume "${mount.source}", not a file of this repository`);
    configFile = { containerPath, hostPath: mount.relative === '' ? mount.source : posix.join(mount.source, mount.relative) };
  }
  return { name, role, args, env: serviceEnvironment(service), configFile, settings };
}

/** The daemon service's configuration through @rivulet/common's loadConfiguration: it throws ConfigurationError naming a bad key. */
export function loadDaemonConfiguration(daemon: DaemonService): Configuration {
  return loadConfiguration({ file: daemon.configFile?.hostPath, env: daemon.env, flags: daemon.settings });
}

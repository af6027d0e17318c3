/**
 * The two ways a state getter is called — `getValueState('count', 0)` and
 * `getValueState({ name: 'count', defaultValue: 0, ttl })` — reduced to one
 * checked form. The TTL is checked and completed with its defaults by the
 * api's `checkStateTtlOptions` (fields are read, never `instanceof`: the
 * job bundle has its own copy of the api package).
 */
import { checkStateTtlOptions, type ResolvedStateTtl, type StateTtlOptions } from '@rivulet/api';
import { InvalidStateDescriptorError } from './errors.js';

export interface ResolvedStateDescriptor {
  readonly name: string;
  readonly defaultValue: unknown;
  readonly ttl: ResolvedStateTtl | undefined;
}

const DESCRIPTOR_FIELDS = new Set(['name', 'defaultValue', 'ttl']);

export function stateDescriptorOf(
  operatorId: string,
  getter: 'getValueState' | 'getListState' | 'getMapState',
  nameOrDescriptor: unknown,
  defaultValue: unknown,
): ResolvedStateDescriptor {
  if (typeof nameOrDescriptor === 'string') {
    if (nameOrDescriptor === '') throw new InvalidStateDescriptorError(operatorId, `${getter}: a state name must be a non-empty string`);
    return { name: nameOrDescriptor, defaultValue, ttl: undefined };
  }
  if (typeof nameOrDescriptor !== 'object' || nameOrDescriptor === null || Array.isArray(nameOrDescriptor)) {
    throw new InvalidStateDescriptorError(
      operatorId,
      `${getter} needs a state name or a descriptor { name, ${getter === 'getValueState' ? 'defaultValue?, ' : ''}ttl? }, got ${describe(nameOrDescriptor)}`,
    );
  }
  const d = nameOrDescriptor as { name?: unknown; defaultValue?: unknown; ttl?: unknown };
  if (defaultValue !== undefined) {
    throw new InvalidStateDescriptorError(operatorId, `${getter}(descriptor) takes no second argument: put the default value into the descriptor's defaultValue`);
  }
  for (const field of Object.keys(d)) {
    if (!DESCRIPTOR_FIELDS.has(field) || (field === 'defaultValue' && getter !== 'getValueState')) {
      throw new InvalidStateDescriptorError(operatorId, `${getter}: unknown descriptor field ${JSON.stringify(field)}`);
    }
  }
  if (typeof d.name !== 'string' || d.name === '') {
    throw new InvalidStateDescriptorError(operatorId, `${getter}: the descriptor's name must be a non-empty string, got ${describe(d.name)}`);
  }
  let ttl: ResolvedStateTtl | undefined;
  if (d.ttl !== undefined) {
    try {
      ttl = checkStateTtlOptions(d.ttl as StateTtlOptions);
    } catch (cause) {
      throw new InvalidStateDescriptorError(operatorId, `${getter}: state ${JSON.stringify(d.name)}: ${(cause as Error).message}`, { cause });
    }
  }
  return { name: d.name, defaultValue: d.defaultValue, ttl };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

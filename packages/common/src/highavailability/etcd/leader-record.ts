import type { Etcd3 } from 'etcd3';
import type { LeaderSessionId } from '../../ids.js';
import type { LeaderAddress } from '../leader.js';
import { withEtcdDeadline } from './etcd-client.js';

/**
 * The value a candidate keeps under its election key. A candidate publishes
 * its addresses when it joins the election; once elected it adds its session
 * (`sessionId`, and `epoch` = the key's create revision) before it acts as
 * leader. Only a record with a session names a leader that is serving.
 */
export interface LeaderRecord {
  readonly rpcAddress: string;
  readonly restAddress?: string;
  readonly sessionId?: LeaderSessionId;
  readonly epoch?: number;
}

/** A leader as read from etcd: its address and session, always both. */
export type ElectedLeader = LeaderAddress & { readonly sessionId: LeaderSessionId; readonly epoch: number };

export function encodeLeaderRecord(record: LeaderRecord): string {
  return JSON.stringify({
    rpcAddress: record.rpcAddress,
    ...(record.restAddress !== undefined ? { restAddress: record.restAddress } : {}),
    ...(record.sessionId !== undefined ? { sessionId: record.sessionId, epoch: record.epoch } : {}),
  });
}

/** Parses an election value; undefined when it is not a Rivulet leader record. */
export function decodeLeaderRecord(text: string): LeaderRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['rpcAddress'] !== 'string') return undefined;
  const record: { -readonly [K in keyof LeaderRecord]: LeaderRecord[K] } = { rpcAddress: v['rpcAddress'] };
  if (typeof v['restAddress'] === 'string') record.restAddress = v['restAddress'];
  if (typeof v['sessionId'] === 'string' && typeof v['epoch'] === 'number' && Number.isSafeInteger(v['epoch'])) {
    record.sessionId = v['sessionId'] as LeaderSessionId;
    record.epoch = v['epoch'];
  }
  return record;
}

/** The record as a serving leader, or undefined while it has no session yet. */
export function asElectedLeader(record: LeaderRecord | undefined): ElectedLeader | undefined {
  if (record?.sessionId === undefined || record.epoch === undefined) return undefined;
  return {
    rpcAddress: record.rpcAddress,
    ...(record.restAddress !== undefined ? { restAddress: record.restAddress } : {}),
    sessionId: record.sessionId,
    epoch: record.epoch,
  };
}

/**
 * Reads the election once: the leader is the key under `prefix` created
 * first. Undefined when nobody campaigns or the first candidate has not
 * published its session yet. Rejects when etcd does not answer within the bound.
 */
export async function readElectedLeader(
  client: Etcd3,
  prefix: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ElectedLeader | undefined> {
  const response = await withEtcdDeadline(
    client.getAll().prefix(prefix).sort('Create', 'Ascend').limit(1).exec(),
    `read of the election ${prefix}`,
    options,
  );
  const first = response.kvs[0];
  return first === undefined ? undefined : asElectedLeader(decodeLeaderRecord(first.value.toString('utf8')));
}

/** Whether two reports name the same leader in the same session. */
export function sameLeader(a: LeaderAddress | null, b: LeaderAddress | null): boolean {
  if (a === null || b === null) return a === b;
  return a.rpcAddress === b.rpcAddress && a.restAddress === b.restAddress && a.sessionId === b.sessionId && a.epoch === b.epoch;
}

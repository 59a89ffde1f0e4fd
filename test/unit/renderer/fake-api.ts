import {
  channels,
  type ApiClient,
  type Channel,
  type ChannelInput,
  type ChannelOutput,
} from '../../../shared/api/contract';
import type { FindingRow } from '../../../shared/api/schemas';
import { ApiError } from '../../../renderer/src/lib/api-client';

/**
 * A stand-in engine for store and component tests: each channel a test needs is a plain async
 * function; any other channel fails loudly, and every call is recorded for assertions.
 */
export type Handlers = { [C in Channel]?: (input: ChannelInput<C>) => Promise<ChannelOutput<C>> | ChannelOutput<C> };

export interface FakeApi {
  api: ApiClient;
  calls: Array<{ channel: Channel; input: unknown }>;
  callsTo(channel: Channel): unknown[];
}

export function fakeApi(handlers: Handlers): FakeApi {
  const calls: FakeApi['calls'] = [];
  const api: Partial<Record<Channel, (input: unknown) => Promise<unknown>>> = {};
  for (const channel of channels) {
    api[channel] = async (input: unknown) => {
      calls.push({ channel, input });
      const handler = handlers[channel] as ((input: unknown) => unknown) | undefined;
      if (!handler) throw new ApiError(channel, { code: 'INTERNAL', message: `fake api: no handler for ${channel}` });
      return handler(input);
    };
  }
  return {
    api: api as ApiClient,
    calls,
    callsTo: (channel) => calls.filter((c) => c.channel === channel).map((c) => c.input),
  };
}

export function findingRow(i: number, over: Partial<FindingRow> = {}): FindingRow {
  return {
    id: `f-${i}`,
    type: i % 2 ? 'Recon:IAMUser/MaliciousIPCaller.Custom' : 'Stealth:IAMUser/CloudTrailLoggingDisabled',
    severity: i % 2 ? 5 : 2,
    title: `Finding number ${i}`,
    accountId: '111122223333',
    region: 'us-east-1',
    resourceType: 'AccessKey',
    resourceId: `AKIA${String(i).padStart(16, '0')}`,
    count: i + 1,
    firstSeen: '2026-03-01T10:00:00.000Z',
    lastSeen: '2026-03-01T11:00:00.000Z',
    archived: false,
    ...over,
  };
}

/** A findings:list over `total` synthetic rows, paged like the engine. */
export function pagedFindings(total: number) {
  return (input: ChannelInput<'findings:list'>) => {
    const offset = input.offset ?? 0;
    const limit = input.limit ?? 100;
    const rows: FindingRow[] = [];
    for (let i = offset; i < Math.min(total, offset + limit); i++) rows.push(findingRow(i));
    return { total, rows };
  };
}

export const noCounts = { Low: 0, Medium: 0, High: 0, Critical: 0, total: 0 };

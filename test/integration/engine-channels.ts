import { contract, type Channel, type ChannelOutput } from '../../shared/api/contract';
import { invokeChannel, type Engine } from '../../electron/engine/api';

/**
 * Channel calls as the shells make them, for integration tests that drive a real engine: the
 * input goes through the contract's parse, and the answer is checked against the output schema.
 */
export async function call<C extends Channel>(e: Engine, channel: C, input: unknown): Promise<ChannelOutput<C>> {
  const result = await invokeChannel(e.handlers, channel, input);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return contract[channel].output.parse(result.value) as ChannelOutput<C>;
}

/** The error of a call that must be refused. */
export async function refused(e: Engine, channel: Channel, input: unknown) {
  const result = await invokeChannel(e.handlers, channel, input);
  if (result.ok) throw new Error(`${channel} should have failed`);
  return result.error;
}

// The value path: any structured-cloneable value travels as the bytes of the node:v8 serializer. Unlike pickle,
// deserializing those bytes cannot run code, so a rank never executes what a peer sends it. Small plain values are
// written and read by v8-wire.ts, in the same format, a few times faster than node:v8 builds its serializers.
import { deserialize, serialize } from 'node:v8';
import { SCRATCH_BYTES, UNHANDLED, decodeSmall, encodeSmall } from './v8-wire';

/** The serialized form of `value`, in a Buffer of its own; a TypeError naming the argument if it cannot be sent. */
export function pack(value: unknown, name = 'value'): Buffer {
  const small = encodeSmall(value);
  return small !== null ? Buffer.from(small) : packWithV8(value, name);
}

/**
 * The same bytes, for a call that is done with them when it returns (a blocking send): they may be a scratch
 * buffer that the next pack overwrites.
 */
export function packTransient(value: unknown, name = 'value'): Buffer {
  return encodeSmall(value) ?? packWithV8(value, name);
}

function packWithV8(value: unknown, name: string): Buffer {
  try {
    return serialize(value);
  } catch (error) {
    throw new TypeError(
      `${name} cannot be sent as a value: ${(error as Error).message} ` +
        '(values go through the structured-clone serializer of node:v8: no functions, symbols or native handles)');
  }
}

/**
 * Where a blocking receive of a value lands when it fits, to be read (`unpackReceived`) before the next one: most
 * values are small, and a fresh Buffer per message costs more than reading it.
 */
export const receiveScratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);

/** The value received by a native call given `receiveScratch`: its size there, or a Buffer of its own. */
export function unpackReceived<T>(received: number | Buffer): T {
  if (typeof received !== 'number') return unpack<T>(received);
  const small = received === 0 ? undefined : decodeSmall(receiveScratch, received);
  // node:v8 makes typed arrays that are views into the bytes it reads: they must not be the scratch buffer's.
  return (small !== UNHANDLED ? small : unpack<T>(Buffer.from(receiveScratch.subarray(0, received)))) as T;
}

/**
 * The value a peer packed; a TypeError if the bytes are not a serialized value (sent as a buffer, or corrupt).
 * No bytes at all is what a receive from PROC_NULL gives: undefined.
 */
export function unpack<T>(payload: Buffer): T {
  if (payload.length === 0) return undefined as T;
  const small = decodeSmall(payload);
  if (small !== UNHANDLED) return small as T;
  try {
    return deserialize(payload) as T;
  } catch (error) {
    throw new TypeError(
      `received a message that is not a serialized value (${payload.length} bytes; was it sent with send() ` +
        `rather than sendObject()?): ${(error as Error).message}`);
  }
}

// The value path: any structured-cloneable value travels as the bytes of the node:v8 serializer. Unlike pickle,
// deserializing those bytes cannot run code, so a rank never executes what a peer sends it.
import { deserialize, serialize } from 'node:v8';

/** The serialized form of `value`; a TypeError naming the argument if the serializer refuses it. */
export function pack(value: unknown, name = 'value'): Buffer {
  try {
    return serialize(value);
  } catch (error) {
    throw new TypeError(
      `${name} cannot be sent as a value: ${(error as Error).message} ` +
        '(values go through the structured-clone serializer of node:v8: no functions, symbols or native handles)');
  }
}

/**
 * The value a peer packed; a TypeError if the bytes are not a serialized value (sent as a buffer, or corrupt).
 * No bytes at all is what a receive from PROC_NULL gives: undefined.
 */
export function unpack<T>(payload: Buffer): T {
  if (payload.length === 0) return undefined as T;
  try {
    return deserialize(payload) as T;
  } catch (error) {
    throw new TypeError(
      `received a message that is not a serialized value (${payload.length} bytes; was it sent with send() ` +
        `rather than sendObject()?): ${(error as Error).message}`);
  }
}

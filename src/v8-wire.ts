// The node:v8 serializer's wire format, written and read in JavaScript for small plain values.
//
// v8.serialize and v8.deserialize build a serializer object per call, which costs about 2.4 and 1.9 microseconds for
// a four-field object here: more than the whole one-way latency of such a value through mpi4py's pickle. Most values
// programs exchange are small trees of numbers, strings, booleans, null, undefined, plain objects and dense arrays;
// for those this module writes and reads the very bytes node:v8 would, a few times faster. Anything else (a typed
// array, a Map, a Date, a shared or cyclic reference, a big or deep value, a string with unpaired surrogates) goes to
// node:v8 itself, so the format on the wire is always node:v8's and either side can read what the other wrote.
import { serialize } from 'node:v8';

// The tags of the format (v8/src/objects/value-serializer.cc), for the values handled here.
const VERSION_TAG = 0xff;
const PADDING = 0x00;
const INT32 = 0x49; // 'I': zigzag varint
const UINT32 = 0x55; // 'U': varint
const DOUBLE = 0x4e; // 'N': 8 bytes, little-endian
const ONE_BYTE_STRING = 0x22; // '"': Latin-1
const TWO_BYTE_STRING = 0x63; // 'c': UTF-16LE
const TRUE = 0x54; // 'T'
const FALSE = 0x46; // 'F'
const UNDEFINED = 0x5f; // '_'
const NULL = 0x30; // '0'
const BEGIN_OBJECT = 0x6f; // 'o'
const END_OBJECT = 0x7b; // '{': then the number of properties
const BEGIN_DENSE_ARRAY = 0x41; // 'A': then the length
const END_DENSE_ARRAY = 0x24; // '$': then the number of non-index properties and the length

// The format version this Node's V8 writes: the second byte of anything it serializes.
const VERSION = serialize(null)[1];

// Past these, node:v8's C++ is as fast as this module or faster, and the identity check below would grow costly.
const MAX_BYTES = 16 * 1024;
/** The size of a buffer that holds any value this module writes. */
export const SCRATCH_BYTES = MAX_BYTES + 64;
const MAX_CONTAINERS = 32;
const MAX_DEPTH = 32;

const double = new Float64Array(1);
const doubleBytes = new Uint8Array(double.buffer);
// Node and V8 run only on little-endian hosts that matter here, but the format is little-endian everywhere.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const NOT_LATIN1 = /[^\u0000-\u00ff]/;
// A lone surrogate would not survive the trip through UTF-16 unchanged in every engine: leave such strings to V8.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// ---- Writing ----------------------------------------------------------------------------------------------------

const out = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
let at = 0;
let encoding = false;
const containers: object[] = []; // seen while writing the current value: a second sight means a shared reference

/**
 * Writes `value` in node:v8's format into a scratch buffer and returns the bytes, a view valid only until the next
 * call; null if the value is not one this module handles (the caller then uses node:v8).
 */
export function encodeSmall(value: unknown): Buffer | null {
  // A getter of the value could send a value itself, while the scratch buffer is in use: that one goes to node:v8.
  if (encoding) return null;
  encoding = true;
  out[0] = VERSION_TAG;
  out[1] = VERSION;
  at = 2;
  containers.length = 0;
  let ok = false;
  try {
    ok = writeValue(value, 0);
  } finally {
    containers.length = 0;
    encoding = false;
  }
  return ok ? out.subarray(0, at) : null;
}

function writeVarint(n: number): void {
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[at++] = n;
}

function writeValue(value: unknown, depth: number): boolean {
  if (at > MAX_BYTES) return false;
  switch (typeof value) {
    case 'number':
      if ((value | 0) === value && (value !== 0 || 1 / value > 0)) {
        out[at++] = INT32;
        writeVarint(((value << 1) ^ (value >> 31)) >>> 0);
      } else {
        out[at++] = DOUBLE;
        double[0] = value;
        if (LITTLE_ENDIAN) for (let i = 0; i < 8; i++) out[at++] = doubleBytes[i];
        else for (let i = 7; i >= 0; i--) out[at++] = doubleBytes[i];
      }
      return true;
    case 'string':
      return writeString(value);
    case 'boolean':
      out[at++] = value ? TRUE : FALSE;
      return true;
    case 'undefined':
      out[at++] = UNDEFINED;
      return true;
    case 'object':
      if (value === null) {
        out[at++] = NULL;
        return true;
      }
      if (depth >= MAX_DEPTH || containers.length >= MAX_CONTAINERS || containers.includes(value)) return false;
      containers.push(value);
      if (Array.isArray(value)) return writeArray(value, depth);
      return Object.getPrototypeOf(value) === Object.prototype && writeObject(value as Record<string, unknown>, depth);
    default:
      return false; // bigint, symbol, function: node:v8 handles or refuses them
  }
}

function writeString(s: string): boolean {
  const n = s.length;
  if (at + 2 * n > MAX_BYTES) return false;
  let latin1 = true;
  if (n <= 32) {
    for (let i = 0; i < n; i++) {
      if (s.charCodeAt(i) > 0xff) {
        latin1 = false;
        break;
      }
    }
  } else {
    latin1 = !NOT_LATIN1.test(s);
  }
  if (latin1) {
    out[at++] = ONE_BYTE_STRING;
    writeVarint(n);
    if (n <= 32) for (let i = 0; i < n; i++) out[at++] = s.charCodeAt(i);
    else at += out.write(s, at, 'latin1');
    return true;
  }
  if (LONE_SURROGATE.test(s)) return false;
  out[at++] = TWO_BYTE_STRING;
  writeVarint(2 * n);
  at += out.write(s, at, 'utf16le');
  return true;
}

function writeObject(object: Record<string, unknown>, depth: number): boolean {
  const keys = Object.keys(object);
  out[at++] = BEGIN_OBJECT;
  for (let i = 0; i < keys.length; i++) {
    // Index-like keys go as strings: the reader makes the same property of "1" as of 1.
    if (!writeString(keys[i]) || !writeValue(object[keys[i]], depth + 1)) return false;
  }
  out[at++] = END_OBJECT;
  writeVarint(keys.length);
  return true;
}

function writeArray(array: unknown[], depth: number): boolean {
  const length = array.length;
  // Only a plain dense array without extra properties: holes and named properties are node:v8's business.
  if (Object.getPrototypeOf(array) !== Array.prototype || length > MAX_BYTES) return false;
  for (let i = 0; i < length; i++) if (!(i in array)) return false;
  if (Object.keys(array).length !== length) return false;
  out[at++] = BEGIN_DENSE_ARRAY;
  writeVarint(length);
  for (let i = 0; i < length; i++) if (!writeValue(array[i], depth + 1)) return false;
  out[at++] = END_DENSE_ARRAY;
  writeVarint(0);
  writeVarint(length);
  return true;
}

// ---- Reading ----------------------------------------------------------------------------------------------------

// What a reader returns when the bytes hold something it does not read; the caller then uses node:v8.
export const UNHANDLED: unique symbol = Symbol('unhandled');

let input: Buffer = out;
let pos = 0;
let end = 0;

/**
 * The value node:v8 would read from the first `length` bytes of `bytes`, or UNHANDLED if they hold anything this
 * module does not read.
 */
export function decodeSmall(bytes: Buffer, length = bytes.length): unknown {
  if (length < 3 || length > SCRATCH_BYTES || bytes[0] !== VERSION_TAG || bytes[1] !== VERSION) return UNHANDLED;
  input = bytes;
  pos = 2;
  end = length;
  const value = readValue(0);
  const whole = pos === end;
  input = out; // not `bytes`, which may be a view into a much larger buffer (a gather's) that it would keep alive
  return whole ? value : UNHANDLED;
}

// V8 pads before some values to align them; the padding carries nothing.
function skipPadding(): void {
  while (pos < end && input[pos] === PADDING) pos++;
}

// A varint of at most 32 bits; -1 if the bytes end first or it is wider.
function readVarint(): number {
  let result = 0;
  for (let shift = 0; pos < end; shift += 7) {
    const byte = input[pos++];
    if (shift === 28) return byte <= 0x0f ? result + byte * 2 ** 28 : -1;
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) return result;
  }
  return -1;
}

function readValue(depth: number): unknown {
  skipPadding();
  if (pos >= end || depth > MAX_DEPTH) return UNHANDLED;
  switch (input[pos++]) {
    case INT32: {
      const zigzag = readVarint();
      return zigzag < 0 ? UNHANDLED : (zigzag >>> 1) ^ -(zigzag & 1);
    }
    case UINT32: {
      const n = readVarint();
      return n < 0 ? UNHANDLED : n;
    }
    case DOUBLE: {
      if (pos + 8 > end) return UNHANDLED;
      if (LITTLE_ENDIAN) for (let i = 0; i < 8; i++) doubleBytes[i] = input[pos++];
      else for (let i = 7; i >= 0; i--) doubleBytes[i] = input[pos++];
      return double[0];
    }
    case ONE_BYTE_STRING: {
      const n = readVarint();
      if (n < 0 || pos + n > end) return UNHANDLED;
      let s: string;
      if (n <= 16) {
        s = '';
        for (let i = 0; i < n; i++) s += String.fromCharCode(input[pos + i]);
      } else {
        s = input.toString('latin1', pos, pos + n);
      }
      pos += n;
      return s;
    }
    case TWO_BYTE_STRING: {
      const n = readVarint();
      if (n < 0 || n % 2 !== 0 || pos + n > end) return UNHANDLED;
      const s = input.toString('utf16le', pos, pos + n);
      pos += n;
      return s;
    }
    case TRUE: return true;
    case FALSE: return false;
    case UNDEFINED: return undefined;
    case NULL: return null;
    case BEGIN_OBJECT: return readObject(depth);
    case BEGIN_DENSE_ARRAY: return readArray(depth);
    default: return UNHANDLED;
  }
}

function readObject(depth: number): unknown {
  const object: Record<string, unknown> = {};
  let count = 0;
  for (;;) {
    skipPadding();
    if (pos >= end) return UNHANDLED;
    if (input[pos] === END_OBJECT) {
      pos++;
      return readVarint() === count ? object : UNHANDLED;
    }
    const key = readValue(depth + 1);
    // A key "__proto__" must become an own property, which plain assignment would not make.
    if ((typeof key !== 'string' && typeof key !== 'number') || key === '__proto__') return UNHANDLED;
    const value = readValue(depth + 1);
    if (value === UNHANDLED) return UNHANDLED;
    object[key] = value;
    count++;
  }
}

function readArray(depth: number): unknown {
  const length = readVarint();
  if (length < 0 || length > end - pos) return UNHANDLED;
  const array: unknown[] = [];
  for (let i = 0; i < length; i++) {
    const value = readValue(depth + 1);
    if (value === UNHANDLED) return UNHANDLED;
    array.push(value);
  }
  skipPadding();
  if (pos >= end || input[pos++] !== END_DENSE_ARRAY) return UNHANDLED;
  return readVarint() === 0 && readVarint() === length ? array : UNHANDLED;
}
